"""A case's history as reports read it: what was done, by whom, when, with what answers.

Everything is derived from records the engine already keeps (task projection,
audit payloads, case facts), never typed in a second time, so a report can only
say what the trail can prove. Answers are decrypted in memory for the rules and
never leave this module except through the narrow outputs built on it.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.audit.models import AuditEvent
from engine.crypto.keyring import Keyring, KeyringError
from engine.instances import store
from engine.instances.facts import load_facts
from engine.instances.models import InstanceStatus, ProcessInstance, ProtectionCase
from engine.services import Services
from engine.tasks.models import HumanTask, TaskStatus

OPEN_STATUSES = frozenset({InstanceStatus.RUNNING, InstanceStatus.SUSPENDED})


@dataclass(frozen=True)
class Step:
    """One completed user task: the evidence unit of every commitment."""

    task_id: str
    bpmn_id: str
    title: str
    actor: str
    at: datetime
    answers: dict[str, Any]
    form: str | None = None

    def answer(self, name: str, default: Any = None) -> Any:
        return self.answers.get(name, default)


@dataclass(frozen=True)
class Pathway:
    process_key: str
    status: str
    started_at: datetime
    started_by: str


@dataclass
class CaseHistory:
    ref: str
    created_at: datetime
    facts: dict[str, Any]
    steps: list[Step] = field(default_factory=list)
    pathways: list[Pathway] = field(default_factory=list)

    def done(self, *bpmn_ids: str) -> list[Step]:
        """Completions of any of these tasks, oldest first."""
        return [s for s in self.steps if s.bpmn_id in bpmn_ids]

    def first(self, *bpmn_ids: str) -> Step | None:
        found = self.done(*bpmn_ids)
        return found[0] if found else None

    def last(self, *bpmn_ids: str) -> Step | None:
        found = self.done(*bpmn_ids)
        return found[-1] if found else None

    def pathway(self, process_key: str) -> Pathway | None:
        return next((p for p in self.pathways if p.process_key == process_key), None)

    @property
    def is_open(self) -> bool:
        return any(p.status in OPEN_STATUSES for p in self.pathways)


def _answers_by_task(
    session: Session, keyring: Keyring, ref: str
) -> tuple[dict[str, tuple[int, dict[str, Any]]], set[str]]:
    """task id -> (audit sequence number, answers), and the tasks whose answers are sealed
    under a retired key (see :func:`_answers_from_state`)."""
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.case_ref == ref, AuditEvent.action == AuditAction.TASK_COMPLETED)
        .order_by(AuditEvent.seq)
    )
    found: dict[str, tuple[int, dict[str, Any]]] = {}
    sealed: set[str] = set()
    for event in events:
        if not event.task_id:
            continue
        try:
            payload = chain.open_payload(keyring, event) or {}
        except KeyringError:
            payload = {}
            sealed.add(event.task_id)
        found[event.task_id] = (event.seq, payload.get("answers") or {})
    return found, sealed


def _answers_from_state(
    session: Session, services: Services, tasks: list[HumanTask], wanted: set[str]
) -> dict[str, dict[str, Any]]:
    """Answers read back from the workflow state, which key rotation re-encrypts.

    Audit payloads stay under the key that sealed them (the chain covers their
    ciphertext), so after an old key is retired they cannot be opened; the
    completed task's own data in the state still holds what was answered then.
    """
    answers: dict[str, dict[str, Any]] = {}
    for instance_id in sorted({t.instance_id for t in tasks if t.id in wanted}):
        workflow = store.load(session, services, instance_id, for_change=False).workflow
        for task in tasks:
            if task.id in wanted and task.instance_id == instance_id:
                found = workflow.get_task_from_id(uuid.UUID(task.id))
                answers[task.id] = dict(found.data) if found is not None else {}
    return answers


def case_history(
    session: Session,
    services: Services,
    case: ProtectionCase,
    tasks: Iterable[HumanTask] | None = None,
) -> CaseHistory:
    """``tasks``: the case's task rows when the caller has them already (the case page)."""
    recorded, sealed = _answers_by_task(session, services.keyring, case.ref)
    if tasks is None:
        tasks = session.scalars(
            select(HumanTask).where(
                HumanTask.case_id == case.id, HumanTask.state == TaskStatus.COMPLETED
            )
        )
    done = [t for t in tasks if t.state == TaskStatus.COMPLETED and t.completed_at is not None]
    recovered = _answers_from_state(session, services, done, sealed) if sealed else {}
    # In the order the trail recorded them: completions in one instant keep their order.
    done.sort(key=lambda t: (recorded.get(t.id, (0, {}))[0], t.completed_at))
    steps = [
        Step(
            t.id,
            t.bpmn_id,
            t.title,
            t.completed_by or "",
            t.completed_at,
            recovered.get(t.id) or recorded.get(t.id, (0, {}))[1],
            t.form,
        )
        for t in done
    ]
    pathways = [
        Pathway(row.process_key, row.status, row.started_at, row.started_by)
        for row in session.scalars(
            select(ProcessInstance)
            .where(ProcessInstance.case_id == case.id)
            .order_by(ProcessInstance.started_at, ProcessInstance.id)
        )
    ]
    facts = load_facts(session, services.keyring, case.id).values
    return CaseHistory(case.ref, case.created_at, facts, steps, pathways)


def histories(session: Session, services: Services, cases: Iterable[ProtectionCase]):
    for case in cases:
        yield case_history(session, services, case)
