"""Raising incidents and retrying them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.errors import InvalidRequest, NotFound
from engine.incidents.models import Incident
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.instances.store import context_for
from engine.services import Services
from engine.timers.models import Timer, TimerStatus
from engine.users.actors import SYSTEM, Actor, require_admin, required_reason


def raise_for_timer(session: Session, services: Services, timer: Timer, now: datetime) -> Incident:
    incident = Incident(
        kind="timer",
        instance_id=timer.instance_id,
        case_id=timer.case_id,
        timer_id=timer.id,
        bpmn_id=timer.bpmn_id,
        error=timer.last_error or "",
        attempts=timer.attempts,
        created_at=now,
    )
    session.add(incident)
    session.flush()
    trail.record(
        session,
        services,
        SYSTEM,
        AuditAction.INCIDENT_RAISED,
        at=now,
        context=_context(session, services, incident),
        task_id=timer.id,
        detail={
            "incident_id": incident.id,
            "bpmn_id": timer.bpmn_id,
            "attempts": timer.attempts,
            "error": incident.error[:500],
        },
    )
    return incident


def _context(session: Session, services: Services, incident: Incident) -> trail.AuditContext:
    instance = session.get(ProcessInstance, incident.instance_id)
    case = session.get(ProtectionCase, incident.case_id)
    return context_for(session, services, instance, case)


def retry(
    session: Session, services: Services, *, incident_id: int, actor: Actor, reason: str
) -> Incident:
    """Put the failed timer back in the queue, with a fresh count of attempts."""
    require_admin(actor, "retry incidents")
    reason = required_reason(reason)
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound(f"no incident {incident_id}")
    if incident.resolved_at is not None:
        raise InvalidRequest(
            f"incident {incident_id} was already resolved by {incident.resolved_by}"
        )
    now = services.clock.now()
    timer = session.get(Timer, incident.timer_id) if incident.timer_id else None
    if timer is not None:
        timer.status, timer.attempts, timer.retry_at, timer.last_error = (
            TimerStatus.WAITING,
            0,
            None,
            None,
        )
    incident.resolved_at, incident.resolved_by = now, actor.username
    trail.record(
        session,
        services,
        actor,
        AuditAction.INCIDENT_RETRIED,
        at=now,
        context=_context(session, services, incident),
        task_id=incident.timer_id,
        detail={"incident_id": incident.id, "reason": reason},
    )
    return incident


@dataclass(frozen=True)
class IncidentView:
    id: int
    kind: str
    case_ref: str
    instance_id: int
    bpmn_id: str
    error: str
    attempts: int
    created_at: datetime
    resolved_at: datetime | None
    resolved_by: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "case_ref": self.case_ref,
            "instance_id": self.instance_id,
            "bpmn_id": self.bpmn_id,
            "error": self.error,
            "attempts": self.attempts,
            "created_at": self.created_at.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "resolved_by": self.resolved_by,
        }


def listing(session: Session, *, include_resolved: bool = False) -> list[IncidentView]:
    query = select(Incident, ProtectionCase.ref).join(
        ProtectionCase, ProtectionCase.id == Incident.case_id
    )
    if not include_resolved:
        query = query.where(Incident.resolved_at.is_(None))
    return [
        IncidentView(
            i.id,
            i.kind,
            ref,
            i.instance_id,
            i.bpmn_id,
            i.error,
            i.attempts,
            i.created_at,
            i.resolved_at,
            i.resolved_by,
        )
        for i, ref in session.execute(query.order_by(Incident.created_at, Incident.id))
    ]
