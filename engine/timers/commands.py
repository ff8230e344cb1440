"""Administrative changes to a waiting timer: move its due time, with a reason."""

from __future__ import annotations

import uuid
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    TimerEventDefinition,
)
from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.errors import InvalidRequest, NotFound
from engine.instances import store
from engine.services import Services
from engine.timers.models import Timer
from engine.users.actors import Actor, require_admin, required_reason


def move_timer(
    session: Session,
    services: Services,
    *,
    timer_id: str,
    actor: Actor,
    due_at: datetime,
    reason: str,
) -> None:
    """E.g. extend a reflection period: the timer now falls due at ``due_at``."""
    require_admin(actor, "move timers")
    reason = required_reason(reason)
    row = session.get(Timer, timer_id)
    if row is None:
        raise NotFound(f"no waiting timer {timer_id}")
    now = services.clock.now()
    if due_at <= now:
        raise InvalidRequest("the new time must be in the future")
    loaded = store.load(session, services, row.instance_id)
    task = loaded.workflow.get_task_from_id(uuid.UUID(timer_id))
    definition = getattr(task.task_spec, "event_definition", None) if task else None
    if not isinstance(definition, TimerEventDefinition) or isinstance(
        definition, CycleTimerEventDefinition
    ):
        raise InvalidRequest("only single-shot timers can be moved")
    previous = row.due_at
    task._set_internal_data(event_value=due_at.isoformat())
    store.save_and_record(
        session,
        services,
        loaded,
        now,
        actor=actor.username,
        events=[
            store.Happened(
                AuditAction.TIMER_MOVED,
                task_id=timer_id,
                detail={
                    "bpmn_id": row.bpmn_id,
                    "name": row.name,
                    "from": previous.isoformat(),
                    "to": due_at.isoformat(),
                    "reason": reason,
                },
            )
        ],
    )
