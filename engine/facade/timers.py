"""Firing and listing timers; incidents."""

from __future__ import annotations

from datetime import datetime

from engine.clock import ensure_utc
from engine.facade.core import EngineCore
from engine.incidents import service as incident_service
from engine.timers import claims, firing
from engine.timers import queries as timer_queries
from engine.timers.sweeper import Sweeper, SweepPolicy, SweepResult
from engine.users.actors import require_admin


class TimersFacade(EngineCore):
    """Firing and sweeping act as the engine itself (the scheduler); listings need an admin."""

    def fire_due_timers(self, now: datetime | None = None) -> list[firing.FiredTimer]:
        """Fire every timer due at ``now`` (default: the engine clock), one transaction each.

        Failures are retried with back-off by later sweeps and then become incidents.
        """
        return self.sweep_timers(now).fired

    def sweep_timers(
        self, now: datetime | None = None, *, policy: SweepPolicy | None = None
    ) -> SweepResult:
        moment = ensure_utc(now) if now is not None else None
        return Sweeper(self.write, self.services, policy=policy).sweep(moment)

    def next_timer_due(self) -> datetime | None:
        with self.db.read() as session:
            return claims.next_claimable_at(session)

    def incidents(
        self, *, actor: str, include_resolved: bool = False
    ) -> list[incident_service.IncidentView]:
        with self.db.read() as session:
            require_admin(self._as(session, actor), "list incidents")
            return incident_service.listing(session, include_resolved=include_resolved)

    def retry_incident(self, incident_id: int, *, actor: str, reason: str) -> None:
        self.run(incident_service.retry, actor=actor, incident_id=incident_id, reason=reason)

    def timers(
        self, *, actor: str, due_before: datetime | None = None, case_ref: str | None = None
    ) -> list[timer_queries.TimerView]:
        with self.db.read() as session:
            require_admin(self._as(session, actor), "list timers")
            return timer_queries.upcoming(session, due_before=due_before, case_ref=case_ref)
