"""What a case page shows: each pathway's state, tasks open and done, timers in words, key facts."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accountability import evidence_map
from engine.accountability.commitments import CommitmentStatus, record
from engine.accountability.history import case_history
from engine.definitions.models import ProcessDefinition
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.services import Services
from engine.tasks.models import HumanTask, TaskStatus
from engine.timers.models import Timer

# Facts a case page may show to anyone who can open the case; everything else stays in the
# tasks that need it.
SUMMARY_FACTS: dict[str, str] = {
    "is_child": "Child",
    "language": "Language understood",
    "interpreter_needed": "Needs an interpreter",
    "presumed_victim": "Presumed victim",
    "presumption_reasoning": "Presumption rule",
    "rg_positive": "Reasonable grounds",
    "reflection_ends_at": "Reflection period ends",
    "reflection_over": "Reflection period over",
    "conclusive_positive": "Confirmed victim",
    "asylum_pending": "Asylum claim pending",
    "non_refoulement": "Non-refoulement",
    "bid_approved": "Best-interests determination approved",
    "family_complicity": "Family members involved in the trafficking",
    "returned_on": "Returned on",
}


@dataclass(frozen=True)
class TaskLine:
    id: str
    title: str
    role: str | None
    assignee: str | None
    due_at: datetime | None
    completed_by: str | None
    completed_at: datetime | None
    pathway: str


@dataclass(frozen=True)
class PathwayLine:
    instance_id: int
    process_key: str
    name: str
    version: int
    status: str
    started_at: datetime
    started_by: str
    ended_at: datetime | None
    open_tasks: list[TaskLine] = field(default_factory=list)


@dataclass(frozen=True)
class TimerLine:
    name: str
    due_at: datetime
    pathway: str
    status: str


@dataclass(frozen=True)
class CaseOverview:
    ref: str
    status: str
    created_at: datetime
    created_by: str
    pathways: list[PathwayLine]
    completed_tasks: list[TaskLine]
    timers: list[TimerLine]
    facts: list[tuple[str, Any]]
    commitments: list[CommitmentStatus] = field(default_factory=list)
    # The language of the printed rights sheet chosen when rights were explained, if any.
    rights_sheet_language: str | None = None

    @property
    def open_tasks(self) -> list[TaskLine]:
        return [t for p in self.pathways for t in p.open_tasks]


def overview(session: Session, services: Services, case: ProtectionCase) -> CaseOverview:
    instances = session.execute(
        select(ProcessInstance, ProcessDefinition.name, ProcessDefinition.version)
        .join(ProcessDefinition, ProcessDefinition.id == ProcessInstance.definition_id)
        .where(ProcessInstance.case_id == case.id)
        .order_by(ProcessInstance.started_at, ProcessInstance.id)
    ).all()
    names = {row.id: name for row, name, _ in instances}
    task_query = select(HumanTask).where(HumanTask.case_id == case.id)
    tasks = session.scalars(task_query.order_by(HumanTask.created_at, HumanTask.id)).all()

    def line(task: HumanTask) -> TaskLine:
        return TaskLine(
            task.id,
            task.title,
            task.role,
            task.assignee,
            task.due_at,
            task.completed_by,
            task.completed_at,
            names.get(task.instance_id, ""),
        )

    pathways = [
        PathwayLine(
            row.id,
            row.process_key,
            name,
            version,
            row.status,
            row.started_at,
            row.started_by,
            row.ended_at,
            [line(t) for t in tasks if t.instance_id == row.id and t.state == TaskStatus.READY],
        )
        for row, name, version in instances
    ]
    completed = sorted(
        (line(t) for t in tasks if t.state == TaskStatus.COMPLETED),
        key=lambda t: t.completed_at,
        reverse=True,
    )
    timer_query = select(Timer).where(Timer.case_id == case.id).order_by(Timer.due_at)
    timers = [
        TimerLine(t.name, t.due_at, names.get(t.instance_id, ""), t.status)
        for t in session.scalars(timer_query)
    ]
    history = case_history(session, services, case, tasks)
    values = history.facts
    facts = [(label, values[key]) for key, label in SUMMARY_FACTS.items() if key in values]
    told = history.last(evidence_map.shipped().id("rights"))
    return CaseOverview(
        case.ref,
        case.status,
        case.created_at,
        case.created_by,
        pathways,
        completed,
        timers,
        facts,
        record(history),
        told.answer("rights_sheet_language") if told else None,
    )
