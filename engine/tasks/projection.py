"""Keep ``human_task`` rows equal to the workflow's user tasks, inside the saving transaction."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.util.task import TaskState
from sqlalchemy import bindparam, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert as postgres_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine.instances.models import InstanceStatus, ProcessInstance
from engine.spiff.inspection import ReadyUserTask, ready_user_tasks
from engine.tasks.models import HumanTask, TaskStatus


def _final_state(workflow: BpmnWorkflow, task_id: str) -> str:
    task = workflow.get_task_from_id(uuid.UUID(task_id))
    if task is not None and task.state == TaskState.COMPLETED:
        return TaskStatus.COMPLETED
    return TaskStatus.CANCELLED


@dataclass(frozen=True)
class OpenTasks:
    """The instance's open user tasks as its last save wrote them: the rows' ids in inbox
    order and what each was projected from. Kept with a cached workflow, it lets the next
    save write the changes without reading the rows back."""

    ids: list[str]
    tasks: dict[str, ReadyUserTask]
    created: dict[str, datetime]  # the rows' created_at: the inbox's order


def sync_human_tasks(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    now: datetime,
    known: OpenTasks | None = None,
) -> OpenTasks:
    """Bring the rows in line; returns the open tasks (ids in inbox order), so a command can
    answer "what next" without reading them back.

    ``known`` (from the worker's cache: the projection of exactly the saved state this
    workflow was loaded as) replaces reading the rows; without it they are read.
    """
    ready = {t.id: t for t in ready_user_tasks(workflow)}
    if known is None:
        return _sync_read(session, instance, workflow, now, ready)
    left = [task_id for task_id in known.ids if task_id not in ready]
    finals: dict[str, list[str]] = {}
    for task_id in left:
        row = session.identity_map.get(identity_key(HumanTask, task_id))
        state = (
            TaskStatus.CANCELLED
            if instance.status == InstanceStatus.TERMINATED
            else _final_state(workflow, task_id)
        )
        if row is not None and row.state == state:
            continue  # this transaction brought it up to date already (the completed task)
        finals.setdefault(state, []).append(task_id)
    for state, ids in finals.items():
        session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(ids), HumanTask.state == TaskStatus.READY)
            .values(state=state, completed_at=func.coalesce(HumanTask.completed_at, now))
            .execution_options(synchronize_session=False)
        )
    for task_id, task in ready.items():
        before = known.tasks.get(task_id)
        if before is None:
            continue
        changes = {}
        if task.due_at is not None and task.due_at != before.due_at:
            changes["due_at"] = task.due_at  # a due date once known is kept, never cleared
        if task.role != before.role:
            changes["role"] = task.role
        if changes:
            session.execute(
                update(HumanTask)
                .where(HumanTask.id == task_id)
                .values(**changes)
                .execution_options(synchronize_session=False)
            )
    new = [task for task_id, task in ready.items() if task_id not in known.tasks]
    if new:
        _insert_or_reopen(session, instance, new, now)
    created = {task_id: known.created[task_id] for task_id in ready if task_id in known.created}
    created.update({task.id: now + timedelta(microseconds=task.instance_index) for task in new})
    return _ordered(ready, created)


# The completed task's row, as a plain statement built once. No parameter is named like a
# column: on PostgreSQL it runs inside the save's one statement (``store._together``), where
# SQLAlchemy would add such a parameter to the SET of every UPDATE.
COMPLETE_TASK = (
    update(HumanTask.__table__)
    .where(HumanTask.__table__.c.id == bindparam("done_key"))
    .values(
        state=bindparam("done_state", TaskStatus.COMPLETED),
        completed_by=bindparam("done_by"),
        completed_at=bindparam("done_at"),
    )
)


@dataclass(frozen=True)
class CompletionWrite:
    """The completed task's row, written with the save that records the step: alone on
    SQLite, inside the save's one statement on PostgreSQL (a round trip fewer)."""

    row: HumanTask
    params: dict[str, object]

    def done(self) -> None:
        """The row object is told, so the projection's sync sees it done and the ORM has
        nothing left to flush."""
        set_committed_value(self.row, "state", TaskStatus.COMPLETED)
        set_committed_value(self.row, "completed_by", self.params["done_by"])
        set_committed_value(self.row, "completed_at", self.params["done_at"])

    def run(self, session: Session) -> None:
        session.connection().execute(COMPLETE_TASK, self.params)
        self.done()


def completion_write(row: HumanTask, username: str, now: datetime) -> CompletionWrite:
    return CompletionWrite(row, {"done_key": row.id, "done_by": username, "done_at": now})


def _ordered(ready: dict[str, ReadyUserTask], created: dict[str, datetime]) -> OpenTasks:
    ids = sorted(ready, key=lambda task_id: (created[task_id], task_id))
    return OpenTasks(ids, ready, created)


# Built once (their compiled form is cached): the same statement for any number of rows.
_UPSERT = {
    name: insert(HumanTask).on_conflict_do_update(
        index_elements=[HumanTask.id],
        set_={"state": TaskStatus.READY, "completed_at": None, "completed_by": None},
    )
    for name, insert in (("sqlite", sqlite_insert), ("postgresql", postgres_insert))
}


def _insert_or_reopen(
    session: Session, instance: ProcessInstance, tasks: list[ReadyUserTask], now: datetime
) -> None:
    """New rows in one statement; a task SpiffWorkflow made ready again under an id it had
    before is reopened rather than refused as a duplicate."""
    dialect = session.get_bind().dialect.name
    session.connection().execute(
        _UPSERT["sqlite" if dialect == "sqlite" else "postgresql"],
        [_new_row(instance, task, now) for task in tasks],
    )


def _new_row(instance: ProcessInstance, task: ReadyUserTask, now: datetime) -> dict:
    return {
        "id": task.id,
        "instance_id": instance.id,
        "case_id": instance.case_id,
        "bpmn_id": task.bpmn_id,
        "title": task.title,
        "process_key": task.process_key,
        "role": task.role,
        "form": task.form,
        "state": TaskStatus.READY,
        "due_at": task.due_at,
        # Siblings of a multi-instance open together: a microsecond apart each, they list
        # in the order of their inputs.
        "created_at": now + timedelta(microseconds=task.instance_index),
    }


def _sync_read(
    session: Session,
    instance: ProcessInstance,
    workflow: BpmnWorkflow,
    now: datetime,
    ready: dict[str, ReadyUserTask],
) -> OpenTasks:
    rows = session.scalars(
        select(HumanTask).where(
            HumanTask.instance_id == instance.id,
            or_(HumanTask.state == TaskStatus.READY, HumanTask.id.in_(list(ready))),
        )
    ).all()
    known = {row.id: row for row in rows}
    for row in rows:
        if row.id in ready:
            current = ready[row.id]
            if row.state != TaskStatus.READY:  # a task reset to run again
                row.state, row.completed_at, row.completed_by = TaskStatus.READY, None, None
            # Keep a due date once known: a fired boundary timer leaves a task overdue, not undated.
            row.due_at = current.due_at or row.due_at
            # The same task under a newer diagram (a migrated instance) may be named anew.
            row.role, row.title, row.form = current.role, current.title, current.form
            row.bpmn_id = current.bpmn_id
        elif instance.status == InstanceStatus.TERMINATED:
            row.state, row.completed_at = TaskStatus.CANCELLED, now
        else:
            row.state = _final_state(workflow, row.id)
            row.completed_at = row.completed_at or now
    open_rows = [row for row in rows if row.id in ready]
    for task_id, task in ready.items():
        if task_id not in known:
            open_rows.append(HumanTask(**_new_row(instance, task, now)))
            session.add(open_rows[-1])
    return _ordered(ready, {row.id: row.created_at for row in open_rows})
