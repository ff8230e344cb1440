"""Keep ``human_task`` rows equal to the workflow's user tasks, inside the saving transaction."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from engine.instances.models import InstanceStatus, ProcessInstance
from engine.spiff.inspection import ready_user_tasks
from engine.tasks.models import HumanTask

READY = "READY"
COMPLETED = "COMPLETED"
CANCELLED = "CANCELLED"


def _final_state(workflow: BpmnWorkflow, task_id: str) -> str:
    task = workflow.get_task_from_id(uuid.UUID(task_id))
    if task is not None and task.state == TaskState.COMPLETED:
        return COMPLETED
    return CANCELLED


def sync_human_tasks(
    session: Session, instance: ProcessInstance, workflow: BpmnWorkflow, now: datetime
) -> list[str]:
    """Bring the rows in line; returns the open tasks' ids in the order the inbox lists them,
    so a command can answer "what next" without reading them back."""
    ready = {t.id: t for t in ready_user_tasks(workflow)}
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            or_(HumanTask.state == READY, HumanTask.id.in_(list(ready))),
        )
    ).all()
    known = {row.id: row for row in rows}
    for row in rows:
        if row.id in ready:
            current = ready[row.id]
            if row.state != READY:  # a task reset to run again
                row.state, row.completed_at, row.completed_by = READY, None, None
            # Keep a due date once known: a fired boundary timer leaves a task overdue, not undated.
            row.due_at = current.due_at or row.due_at
            row.role = current.role
        elif instance.status == InstanceStatus.TERMINATED:
            row.state, row.completed_at = CANCELLED, now
        else:
            row.state = _final_state(workflow, row.id)
            row.completed_at = row.completed_at or now
    open_rows = [row for row in rows if row.id in ready]
    for task_id, task in ready.items():
        if task_id not in known:
            open_rows.append(
                HumanTask(
                    id=task_id,
                    instance_id=instance.id,
                    case_id=instance.case_id,
                    bpmn_id=task.bpmn_id,
                    title=task.title,
                    process_key=task.process_key,
                    role=task.role,
                    form=task.form,
                    state=READY,
                    due_at=task.due_at,
                    # Siblings of a multi-instance open together: a microsecond apart each,
                    # they list in the order of their inputs.
                    created_at=now + timedelta(microseconds=task.instance_index),
                )
            )
            session.add(open_rows[-1])
    return [row.id for row in sorted(open_rows, key=lambda row: (row.created_at, row.id))]
