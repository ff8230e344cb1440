"""The always-on timer service: wakes at the next due time, fires, sleeps again.

APScheduler runs one "sweep" job, rescheduled after every sweep for the
soonest claimable timer. Engine commands in the same process report new due
times (:meth:`TimerScheduler.notify`), so a timer created here is fired on
time without polling; a short safety interval catches timers created by other
processes. Several schedulers may run against PostgreSQL (leases keep them
apart). On SQLite only one is active: the others wait as standby on the
``scheduler_lock`` row and take over if the active one stops renewing it.
"""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime, timedelta

from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.date import DateTrigger
from sqlalchemy import or_, update

from engine.timers.models import SchedulerLock
from engine.timers.sweeper import Sweeper, SweepPolicy, SweepResult, new_owner_id

log = logging.getLogger(__name__)
SQLITE_LOCK_TTL = timedelta(seconds=15)
SWEEP_JOB = "pathways-sweep"
SAFETY_JOB = "pathways-safety"
SKIPPED_RUN = "maximum number of running instances reached"


class _ExpectedSkips(logging.Filter):
    """A sweep or safety tick that comes while the previous one still runs is skipped by design
    (one at a time; the tick re-plans a lost sweep), so APScheduler's warning about it is noise
    that buried real problems in the server log every few seconds."""

    def filter(self, record: logging.LogRecord) -> bool:
        return SKIPPED_RUN not in record.getMessage()


_SKIPS = _ExpectedSkips()


class TimerScheduler:
    def __init__(
        self,
        engine,
        *,
        safety_interval: float = 1.0,
        policy: SweepPolicy | None = None,
        owner: str | None = None,
    ) -> None:
        self.engine = engine
        self.owner = owner or new_owner_id()
        self.sweeper = Sweeper(engine.write, engine.services, owner=self.owner, policy=policy)
        self.safety_interval = safety_interval
        self._scheduler = BackgroundScheduler(timezone=UTC)
        self._planned: datetime | None = None
        self._lock = threading.Lock()
        self.active = False

    # -- single active scheduler on SQLite ---------------------------------------------------

    def hold_sqlite_lock(self) -> bool:
        """Take or renew the SQLite scheduler lease; True when this scheduler is the active one."""
        if not self.engine.db.is_sqlite:
            return True
        now = datetime.now(UTC)

        def take(session) -> bool:
            result = session.execute(
                update(SchedulerLock)
                .where(
                    SchedulerLock.id == 1,
                    or_(
                        SchedulerLock.owner.is_(None),
                        SchedulerLock.owner == self.owner,
                        SchedulerLock.expires_at < now,
                    ),
                )
                .values(owner=self.owner, expires_at=now + SQLITE_LOCK_TTL)
            )
            return result.rowcount == 1

        held = self.engine.write(take)
        if held != self.active:
            log.info("scheduler %s is now %s", self.owner, "active" if held else "standby")
        self.active = held
        return held

    def release_sqlite_lock(self) -> None:
        if self.engine.db.is_sqlite and self.active:
            self.engine.write(
                lambda s: s.execute(
                    update(SchedulerLock)
                    .where(SchedulerLock.id == 1, SchedulerLock.owner == self.owner)
                    .values(owner=None, expires_at=None)
                )
            )
            self.active = False

    # -- running --------------------------------------------------------------------------

    def sweep_once(self) -> SweepResult:
        """One sweep now (catch-up on start, ``pathways scheduler --once``)."""
        if not self.hold_sqlite_lock():
            return SweepResult()
        return self.sweeper.sweep()

    def start(self) -> None:
        apscheduler_log = logging.getLogger("apscheduler.scheduler")
        if _SKIPS not in apscheduler_log.filters:
            apscheduler_log.addFilter(_SKIPS)
        self.engine.add_timer_listener(self.notify)
        self._scheduler.add_job(
            self._tick,
            "interval",
            seconds=self.safety_interval,
            id=SAFETY_JOB,
            max_instances=1,
            coalesce=True,
        )
        self._scheduler.start()
        self._plan(datetime.now(UTC))  # catch up at once with whatever fell due while down

    def stop(self) -> None:
        self.engine.remove_timer_listener(self.notify)
        if self._scheduler.running:
            self._scheduler.shutdown(wait=True)
        self.release_sqlite_lock()

    def notify(self, due_at: datetime) -> None:
        """An engine command in this process created or moved a timer."""
        self._plan(due_at)

    def _plan(self, when: datetime) -> None:
        """Make sure a sweep runs no later than ``when``."""
        with self._lock:
            now = datetime.now(UTC)
            # A plan still in the future and no later than this one stands; a plan in the past
            # was lost (e.g. skipped while a sweep ran) and is replaced.
            if self._planned is not None and now <= self._planned <= when:
                return
            self._planned = when
            self._scheduler.add_job(
                self._sweep,
                DateTrigger(run_date=max(when, now)),
                id=SWEEP_JOB,
                replace_existing=True,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=None,
            )

    def _tick(self) -> None:
        try:
            if not self.hold_sqlite_lock():
                return
            soonest = self.engine.next_timer_due()
            if soonest is not None:
                self._plan(soonest)
        except Exception:
            log.exception("scheduler safety tick failed")

    def _sweep(self) -> None:
        with self._lock:
            self._planned = None
        try:
            if not self.hold_sqlite_lock():
                return
            result = self.sweeper.sweep()
            for fired in result.fired:
                log.info(
                    "timer fired: %s %s (%.3f s late)",
                    fired.case_ref,
                    fired.name,
                    fired.late_seconds,
                )
            soonest = self.engine.next_timer_due()
            if soonest is not None:
                self._plan(soonest)
        except Exception:
            log.exception("timer sweep failed; the safety interval will try again")
