"""What an instance's diagram shows: its exact versions, the elements passed, where it waits now.

The page draws a flow as taken when both its ends were passed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from SpiffWorkflow.util.task import TaskState
from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.instances import store
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.services import Services
from engine.spiff.inspection import owning_process
from engine.tasks.models import HumanTask, TaskStatus
from engine.timers.queries import TimerView, upcoming

LIST_LIMIT = 100


@dataclass(frozen=True)
class ProcessView:
    process_key: str
    version: int
    name: str
    source: str  # the BPMN file of that exact version
    completed: list[str] = field(default_factory=list)
    active: list[str] = field(default_factory=list)  # ready user tasks and waiting events


@dataclass(frozen=True)
class OpenTask:
    id: str
    title: str
    role: str | None
    assignee: str | None
    due_at: datetime | None


@dataclass(frozen=True)
class InstanceMap:
    instance_id: int
    case_ref: str
    status: str
    process_key: str
    started_by: str
    started_at: datetime
    processes: list[ProcessView]
    tasks: list[OpenTask] = field(default_factory=list)
    timers: list[TimerView] = field(default_factory=list)


@dataclass(frozen=True)
class InstanceLine:
    id: int
    case_ref: str
    process_key: str
    status: str
    started_at: datetime
    ended_at: datetime | None


def list_instances(
    session: Session, *, case_ref: str | None = None, status: str | None = None
) -> list[InstanceLine]:
    """Newest first; an administrator narrows by case reference or status."""
    query = select(ProcessInstance, ProtectionCase.ref).join(
        ProtectionCase, ProtectionCase.id == ProcessInstance.case_id
    )
    if case_ref:
        query = query.where(ProtectionCase.ref == case_ref.strip().upper())
    if status:
        query = query.where(ProcessInstance.status == status)
    rows = session.execute(query.order_by(ProcessInstance.id.desc()).limit(LIST_LIMIT))
    return [
        InstanceLine(i.id, ref, i.process_key, i.status, i.started_at, i.ended_at)
        for i, ref in rows
    ]


def _open_tasks(session: Session, instance_id: int) -> list[OpenTask]:
    rows = session.scalars(
        select(HumanTask)
        .where(HumanTask.instance_id == instance_id, HumanTask.state == TaskStatus.READY)
        .order_by(HumanTask.created_at, HumanTask.id)
    )
    return [OpenTask(t.id, t.title, t.role, t.assignee, t.due_at) for t in rows]


def instance_map(session: Session, services: Services, instance_id: int) -> InstanceMap:
    loaded = store.load(session, services, instance_id, for_change=False)
    by_key: dict[str, dict[str, set[str]]] = {}
    for task in loaded.workflow.get_tasks():
        bpmn_id = getattr(task.task_spec, "bpmn_id", None)
        if not bpmn_id:
            continue
        # A sub-process's steps are marked on the diagram that draws them (bpmn-js drills down).
        states = by_key.setdefault(owning_process(task), {"completed": set(), "active": set()})
        if task.state == TaskState.COMPLETED:
            states["completed"].add(bpmn_id)
        elif task.state in (TaskState.READY, TaskState.WAITING, TaskState.STARTED):
            states["active"].add(bpmn_id)
    views = []
    for key, definition_id in loaded.pinned.processes.items():
        definition = services.specs.definition(session, definition_id)
        states = by_key.get(key, {"completed": set(), "active": set()})
        views.append(
            ProcessView(
                key,
                definition.version,
                definition.name,
                definition.source,
                sorted(states["completed"]),
                sorted(states["active"] - states["completed"]),
            )
        )
    row = loaded.row
    return InstanceMap(
        row.id,
        loaded.case.ref,
        row.status,
        row.process_key,
        row.started_by,
        row.started_at,
        sorted(views, key=lambda v: v.process_key != row.process_key),
        _open_tasks(session, instance_id),
        [t for t in upcoming(session, case_ref=loaded.case.ref) if t.instance_id == instance_id],
    )
