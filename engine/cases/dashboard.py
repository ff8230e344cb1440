"""Counts for coordinators and administrators: where cases stand and what is late.

The markers name elements of the shipped pathways (``workflows/``); a
jurisdiction that renames those elements renames them here too.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.accountability import evidence_map
from engine.definitions import repository
from engine.instances.models import InstanceStatus, ProcessInstance, ProtectionCase
from engine.tasks.models import HumanTask, TaskStatus
from engine.timers.models import Timer

# By the names engine/data/commitments.toml gives them, checked at every deployment.
REFLECTION_TIMER = evidence_map.shipped().id("reflection_ends")
RG_DECISION_TASK = evidence_map.shipped().id("rg_decision")
MISSED_CHECK_IN_TASK = evidence_map.shipped().id("missed_check_in")
WAITING_STAGE = "Waiting (timer or another pathway)"


@dataclass(frozen=True)
class Late:
    case_ref: str
    what: str
    when: datetime | None


@dataclass
class Dashboard:
    open_cases: int = 0
    stages: list[tuple[str, str, int]] = field(default_factory=list)
    overdue_by_role: list[tuple[str, int]] = field(default_factory=list)
    reflection_ending: list[Late] = field(default_factory=list)
    rg_overdue: list[Late] = field(default_factory=list)
    missed_check_ins: list[Late] = field(default_factory=list)


def _open_tasks(
    session: Session, bpmn_id: str, *, due_before: datetime | None = None
) -> list[Late]:
    query = (
        select(ProtectionCase.ref, HumanTask.title, HumanTask.due_at)
        .join(ProtectionCase, ProtectionCase.id == HumanTask.case_id)
        .where(HumanTask.state == TaskStatus.READY, HumanTask.bpmn_id == bpmn_id)
    )
    if due_before is not None:
        query = query.where(HumanTask.due_at < due_before)
    return [
        Late(ref, title, due)
        for ref, title, due in session.execute(query.order_by(HumanTask.due_at))
    ]


def dashboard(session: Session, now: datetime) -> Dashboard:
    names = {d.process_key: d.name for d in repository.latest_all(session)}
    running = session.execute(
        select(ProcessInstance.id, ProcessInstance.process_key, ProcessInstance.case_id).where(
            ProcessInstance.status == InstanceStatus.RUNNING
        )
    ).all()
    first_open: dict[int, str] = {}
    for instance_id, title in session.execute(
        select(HumanTask.instance_id, HumanTask.title)
        .where(HumanTask.state == TaskStatus.READY)
        .order_by(HumanTask.created_at, HumanTask.id)
    ):
        first_open.setdefault(instance_id, title)
    stages = Counter(
        (names.get(key, key), first_open.get(instance_id, WAITING_STAGE))
        for instance_id, key, _ in running
    )
    overdue = session.execute(
        select(HumanTask.role, func.count())
        .where(HumanTask.state == TaskStatus.READY, HumanTask.due_at < now)
        .group_by(HumanTask.role)
        .order_by(func.count().desc())
    ).all()
    reflection = session.execute(
        select(ProtectionCase.ref, Timer.name, Timer.due_at)
        .join(ProtectionCase, ProtectionCase.id == Timer.case_id)
        .where(
            Timer.bpmn_id == REFLECTION_TIMER,
            Timer.due_at >= now,
            Timer.due_at < now + timedelta(days=7),
        )
        .order_by(Timer.due_at)
    ).all()
    return Dashboard(
        open_cases=len({case_id for _, _, case_id in running}),
        stages=sorted(
            ((p, s, n) for (p, s), n in stages.items()), key=lambda row: (row[0], -row[2])
        ),
        overdue_by_role=[(role or "-", count) for role, count in overdue],
        reflection_ending=[Late(ref, name, due) for ref, name, due in reflection],
        rg_overdue=_open_tasks(session, RG_DECISION_TASK, due_before=now),
        missed_check_ins=_open_tasks(session, MISSED_CHECK_IN_TASK),
    )
