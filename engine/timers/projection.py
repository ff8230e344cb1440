"""Keep ``timer`` rows equal to the workflow's waiting timers, inside the saving transaction.

A row keeps its id (SpiffWorkflow's task id) while the same timer waits, so a
scheduler's lease on it survives unrelated saves of the instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key

from engine.instances.models import InstanceStatus, ProcessInstance
from engine.spiff.inspection import WaitingTimer, waiting_timers
from engine.timers.models import Timer, TimerStatus

SESSION_DUES = "pathways_timer_dues"


@dataclass(frozen=True)
class WaitingTimers:
    """The instance's timer rows as its last save wrote them (kept with a cached workflow)."""

    timers: dict[str, WaitingTimer]
    status: str


def sync_timers(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    now: datetime,
    known: WaitingTimers | None = None,
) -> WaitingTimers:
    """Bring the rows in line; ``known`` (see ``OpenTasks``) replaces reading them."""
    status = (
        TimerStatus.SUSPENDED
        if instance.status == InstanceStatus.SUSPENDED
        else TimerStatus.WAITING
    )
    ended = instance.status in (InstanceStatus.TERMINATED, InstanceStatus.COMPLETED)
    waiting = {} if ended else {t.id: t for t in waiting_timers(workflow)}
    # New due times, for an in-process scheduler to wake earlier (read after commit).
    dues: list[datetime] = session.info.setdefault(SESSION_DUES, [])
    if known is None:
        _sync_read(session, instance, dict(waiting), status, dues=dues, now=now)
        return WaitingTimers(waiting, status)
    gone = []
    for timer_id in known.timers:
        if timer_id in waiting:
            continue
        row = session.identity_map.get(identity_key(Timer, timer_id))
        if row is not None:
            session.delete(row)  # the timer this command fired: the session holds it
        else:
            gone.append(timer_id)
    if gone:
        session.execute(
            delete(Timer).where(Timer.id.in_(gone)).execution_options(synchronize_session=False)
        )
    for timer_id, timer in waiting.items():
        before = known.timers.get(timer_id)
        if before is not None and before.due_at != timer.due_at:
            dues.append(timer.due_at)
            _move(session, timer_id, timer.due_at)
    kept = [timer_id for timer_id in waiting if timer_id in known.timers]
    if kept and status != known.status:
        session.execute(
            update(Timer)
            .where(Timer.id.in_(kept), Timer.status != TimerStatus.INCIDENT)
            .values(status=status)
            .execution_options(synchronize_session=False)
        )
    for timer_id, timer in waiting.items():
        if timer_id not in known.timers:
            dues.append(timer.due_at)
            session.add(_new_row(instance, timer, status, now))
    return WaitingTimers(waiting, status)


def _move(session: Session, timer_id: str, due_at: datetime) -> None:
    """A cycle timer moved to its next occurrence: a fresh start for its attempts and lease."""
    values = {
        "due_at": due_at,
        "attempts": 0,
        "last_error": None,
        "retry_at": None,
        "lock_owner": None,
        "lock_expires_at": None,
    }
    row = session.identity_map.get(identity_key(Timer, timer_id))
    if row is not None:
        for name, value in values.items():
            setattr(row, name, value)
        return
    session.execute(
        update(Timer)
        .where(Timer.id == timer_id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )


def _new_row(instance: ProcessInstance, timer: WaitingTimer, status: str, now: datetime) -> Timer:
    return Timer(
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


def _sync_read(
    session: Session,
    instance: ProcessInstance,
    waiting: dict[str, WaitingTimer],
    status: str,
    *,
    dues: list[datetime],
    now: datetime,
) -> None:
    rows = session.scalars(select(Timer).where(Timer.instance_id == instance.id)).all()
    for row in rows:
        current = waiting.pop(row.id, None)
        if current is None:
            session.delete(row)
            continue
        if row.due_at != current.due_at:
            _move(session, row.id, current.due_at)
            dues.append(current.due_at)
        if row.status != TimerStatus.INCIDENT:
            row.status = status
    for timer in waiting.values():
        dues.append(timer.due_at)
        session.add(_new_row(instance, timer, status, now))
