"""Keep ``timer`` rows equal to the workflow's waiting timers, inside the saving transaction.

A row keeps its id (SpiffWorkflow's task id) while the same timer waits, so a
scheduler's lease on it survives unrelated saves of the instance.
"""

from __future__ import annotations

from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.instances.models import InstanceStatus, ProcessInstance
from engine.spiff.inspection import waiting_timers
from engine.timers.models import Timer

WAITING = "waiting"
SUSPENDED = "suspended"
INCIDENT = "incident"  # failed too often; waits for an administrator's retry
SESSION_DUES = "pathways_timer_dues"


def sync_timers(
    session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime
) -> None:
    status = SUSPENDED if instance.status == InstanceStatus.SUSPENDED else WAITING
    ended = instance.status in (InstanceStatus.TERMINATED, InstanceStatus.COMPLETED)
    waiting = {} if ended else {t.id: t for t in waiting_timers(workflow)}
    rows = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).all()
    # New due times, for an in-process scheduler to wake earlier (read after commit).
    dues: list[datetime] = session.info.setdefault(SESSION_DUES, [])
    for row in rows:
        current = waiting.pop(row.id, None)
        if current is None:
            session.delete(row)
            continue
        if row.due_at != current.due_at:  # a cycle timer moved to its next occurrence
            row.due_at, row.attempts, row.last_error, row.retry_at = current.due_at, 0, None, None
            row.lock_owner, row.lock_expires_at = None, None
            dues.append(current.due_at)
        if row.status != INCIDENT:
            row.status = status
    for timer in waiting.values():
        dues.append(timer.due_at)
        session.add(
            Timer(
                id=timer.id,
                instance_id=instance.id,
                case_id=instance.case_id,
                bpmn_id=timer.bpmn_id,
                name=timer.name,
                kind=timer.kind,
                due_at=timer.due_at,
                status=status,
                created_at=now,
            )
        )
