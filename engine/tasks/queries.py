"""Read-only task queries for the inbox, the CLI and the API."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.instances.case_refs import normalise_ref
from engine.instances.models import ProtectionCase
from engine.tasks import access
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor


@dataclass(frozen=True)
class TaskView:
    id: str
    bpmn_id: str
    title: str
    case_ref: str
    instance_id: int
    process_key: str
    role: str | None
    assignee: str | None
    due_at: datetime | None
    form: str | None
    state: str
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "bpmn_id": self.bpmn_id,
            "title": self.title,
            "case_ref": self.case_ref,
            "instance_id": self.instance_id,
            "process_key": self.process_key,
            "role": self.role,
            "assignee": self.assignee,
            "due_at": self.due_at.isoformat() if self.due_at else None,
            "form": self.form,
            "state": self.state,
            "created_at": self.created_at.isoformat(),
        }


def _view(row: HumanTask, case_ref: str) -> TaskView:
    return TaskView(
        row.id,
        row.bpmn_id,
        row.title,
        case_ref,
        row.instance_id,
        row.process_key,
        row.role,
        row.assignee,
        row.due_at,
        row.form,
        row.state,
        row.created_at,
    )


def view_of(session: Session, row: HumanTask) -> TaskView:
    case = session.get(ProtectionCase, row.case_id)
    return _view(row, case.ref)


def visible_tasks(
    session: Session, actor: Actor, *, case_ref: str | None = None, state: str = TaskStatus.READY
) -> list[TaskView]:
    """Tasks of the actor's roles or assigned to them (admins see all), soonest due first."""
    query = (
        select(HumanTask, ProtectionCase.ref)
        .join(ProtectionCase, ProtectionCase.id == HumanTask.case_id)
        .where(HumanTask.state == state)
    )
    query = query.where(access.visible_tasks(actor))
    if case_ref:
        query = query.where(ProtectionCase.ref == normalise_ref(case_ref))
    query = query.order_by(
        HumanTask.due_at.is_(None), HumanTask.due_at, HumanTask.created_at, HumanTask.id
    )
    return [_view(row, ref) for row, ref in session.execute(query)]
