"""Firing due timers: one timer row, one transaction.

The timer's firing, the removal (or advance) of its row, the instance's new
state and the audit event commit together, so a timer fires exactly once in
effect: a crash before commit leaves the row to fire again; after commit the
row is gone.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.incidents import service as incidents
from engine.incidents.models import Incident
from engine.instances import store
from engine.instances.models import InstanceStatus
from engine.services import Services
from engine.spiff import stepping
from engine.timers.models import Timer, TimerStatus
from engine.users.actors import SYSTEM


@dataclass(frozen=True)
class FiredTimer:
    timer_id: str
    instance_id: int
    case_ref: str
    bpmn_id: str
    name: str
    due_at: datetime
    fired_at: datetime

    @property
    def late_seconds(self) -> float:
        return max((self.fired_at - self.due_at).total_seconds(), 0.0)

    def as_dict(self) -> dict[str, Any]:
        return {
            "timer_id": self.timer_id,
            "instance_id": self.instance_id,
            "case_ref": self.case_ref,
            "bpmn_id": self.bpmn_id,
            "name": self.name,
            "due_at": self.due_at.isoformat(),
            "fired_at": self.fired_at.isoformat(),
            "late_seconds": round(self.late_seconds, 3),
        }


def fire_timer(
    session: Session, services: Services, timer_id: str, now: datetime, owner: str | None = None
) -> list[FiredTimer]:
    """Fire everything due in this timer's instance; returns what fired (empty if nothing was due).

    Several timers of one instance that are due together fire in one step, as
    SpiffWorkflow refreshes them all; each still gets its own audit event.
    """
    row = session.get(Timer, timer_id, with_for_update=True)
    if row is None or row.status != TimerStatus.WAITING or row.due_at > now:
        return []  # fired by someone else meanwhile, or moved
    if owner is not None and row.lock_owner != owner:
        return []  # our lease expired and another scheduler took the timer over
    loaded = store.load(session, services, row.instance_id)
    if loaded.row.status != InstanceStatus.RUNNING:
        return []
    fired_timers = stepping.fire_due(loaded.workflow, loaded.step(services), now)
    fired = [
        FiredTimer(t.id, loaded.row.id, loaded.case.ref, t.bpmn_id, t.name, t.due_at, now)
        for t in fired_timers
    ]
    store.save_and_record(
        session,
        services,
        loaded,
        now,
        actor=SYSTEM.username,
        events=[
            store.Happened(
                AuditAction.TIMER_FIRED,
                task_id=timer.timer_id,
                detail={
                    "bpmn_id": timer.bpmn_id,
                    "name": timer.name,
                    "due_at": timer.due_at.isoformat(),
                    "late_seconds": round(timer.late_seconds, 3),
                },
            )
            for timer in fired
        ],
    )
    return fired


@dataclass(frozen=True)
class RetryPolicy:
    """Failed firings are retried after 10 s, 20 s, 40 s, ...; the N-th failure is an incident."""

    max_attempts: int = 5
    first_delay: timedelta = timedelta(seconds=10)
    max_delay: timedelta = timedelta(hours=1)

    def delay(self, attempts: int) -> timedelta:
        return min(self.first_delay * 2 ** max(attempts - 1, 0), self.max_delay)


def record_failure(
    session: Session,
    services: Services,
    *,
    timer_id: str,
    error: str,
    now: datetime,
    policy: RetryPolicy,
    owner: str | None = None,
) -> Incident | None:
    """Count a failed attempt (its firing rolled back); after too many, raise an incident."""
    row = session.get(Timer, timer_id, with_for_update=True)
    if (
        row is None
        or row.status != TimerStatus.WAITING
        or (owner is not None and row.lock_owner != owner)
    ):
        return None
    row.attempts += 1
    row.last_error = error[:4000]
    row.lock_owner, row.lock_expires_at = None, None
    if row.attempts < policy.max_attempts:
        row.retry_at = now + policy.delay(row.attempts)
        return None
    row.status, row.retry_at = TimerStatus.INCIDENT, None
    return incidents.raise_for_timer(session, services, row, now)
