"""One sweep: claim due timers in batches and fire each in its own transaction.

Shared by ``Engine.fire_due_timers`` (tests, ``pathways timers fire``) and the
always-on :class:`engine.timers.scheduler.TimerScheduler`.
"""

from __future__ import annotations

import logging
import os
import socket
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TypeVar

from sqlalchemy.orm import Session

from engine.services import Services
from engine.timers import claims, firing

log = logging.getLogger(__name__)
T = TypeVar("T")
Write = Callable[[Callable[[Session], T]], T]


def new_owner_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


@dataclass(frozen=True)
class SweepPolicy:
    lease: timedelta = timedelta(seconds=60)
    batch: int = 100
    retry: firing.RetryPolicy = field(default_factory=firing.RetryPolicy)


@dataclass
class SweepResult:
    fired: list[firing.FiredTimer] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    incidents: list[int] = field(default_factory=list)


class Sweeper:
    def __init__(
        self,
        write: Write,
        services: Services,
        *,
        owner: str | None = None,
        policy: SweepPolicy | None = None,
    ) -> None:
        self.write = write
        self.services = services
        self.owner = owner or new_owner_id()
        self.policy = policy or SweepPolicy()

    def claim(self, now: datetime) -> list[str]:
        return self.write(
            lambda s: claims.claim_due(
                s, now=now, owner=self.owner, lease=self.policy.lease, limit=self.policy.batch
            )
        )

    def sweep(self, now: datetime | None = None) -> SweepResult:
        """Fire everything due at ``now``, oldest first, until nothing claimable is left.

        Without an explicit ``now`` each timer is stamped with the moment it actually
        fired, so the audit's lateness is the real delay, queueing included.
        """
        moment = now or self.services.clock.now()
        result = SweepResult()
        while batch := self.claim(moment):
            for timer_id in batch:
                self._fire_one(timer_id, now or self.services.clock.now(), result)
        return result

    def _fire_one(self, timer_id: str, now: datetime, result: SweepResult) -> None:
        try:
            result.fired.extend(
                self.write(lambda s: firing.fire_timer(s, self.services, timer_id, now, self.owner))
            )
        except Exception as err:
            log.warning("timer %s failed: %s", timer_id, err)
            result.failed.append(timer_id)
            message = f"{type(err).__name__}: {err}"
            incident = self.write(
                lambda s: firing.record_failure(
                    s,
                    self.services,
                    timer_id=timer_id,
                    error=message,
                    now=now,
                    policy=self.policy.retry,
                    owner=self.owner,
                )
            )
            if incident is not None:
                result.incidents.append(incident.id)
