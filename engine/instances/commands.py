"""Commands on instances: start, suspend, resume, terminate.

Each runs inside the transaction its caller opened (``Database.write``) and
writes state, projections and audit together.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.cases.access import access_case_by_ref
from engine.db.database import hold
from engine.definitions import repository
from engine.errors import InvalidRequest, NotFound
from engine.instances import store
from engine.instances.access import require_may_start
from engine.instances.case_refs import CASE_REF, next_case_ref, normalise_ref
from engine.instances.facts import create_facts, facts_from_row
from engine.instances.inspect import InstanceMap, instance_map
from engine.instances.models import CaseFactsRow, InstanceStatus, ProcessInstance, ProtectionCase
from engine.services import Services
from engine.spiff import serialization, stepping
from engine.spiff.inspection import properties
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor, require_admin, required_reason

MAX_START_DATA_BYTES = 256 * 1024


@dataclass(frozen=True)
class Started:
    case_ref: str
    instance_id: int
    process_key: str
    version: int
    status: str
    # The user tasks open once it started, in inbox order (as a completion answers).
    next_task_ids: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "case_ref": self.case_ref,
            "instance_id": self.instance_id,
            "process_key": self.process_key,
            "version": self.version,
            "status": self.status,
            "next_task_ids": self.next_task_ids,
        }


def pinned_versions(
    session: Session, services: Services, pinned: repository.Pinned
) -> dict[str, int]:
    """What the audit shows as the version in force: ``{"demo_referral": 3, "dmn:rule": 1}``."""
    versions = {
        key: services.specs.definition(session, i).version for key, i in pinned.processes.items()
    }
    versions.update(
        (f"dmn:{key}", services.specs.definition(session, i).version)
        for key, i in pinned.decisions.items()
    )
    return versions


def _case_for(
    session: Session, services: Services, actor: Actor, case_ref: str | None
) -> tuple[ProtectionCase, CaseFactsRow | None]:
    """The case to start on, with its facts' row."""
    now = services.clock.now()
    if case_ref is None:
        case = ProtectionCase(
            ref=next_case_ref(session, now), created_by=actor.username, created_at=now
        )
        session.add(case)
        session.flush()
        facts_row = create_facts(session, services.keyring, case.id, now)
        trail.record(
            session,
            services,
            actor,
            AuditAction.CASE_CREATED,
            context=trail.AuditContext(case_ref=case.ref),
            at=now,
        )
        return case, facts_row
    case_ref = normalise_ref(case_ref)
    if not isinstance(case_ref, str) or not CASE_REF.match(case_ref):
        raise InvalidRequest(f"{str(case_ref)[:40]!r} is not a case reference like PP-2026-000042")
    case = access_case_by_ref(session, actor, case_ref, view="start pathway")
    return case, session.get(CaseFactsRow, case.id)


def start_instance(
    session: Session,
    services: Services,
    *,
    process_key: str,
    actor: Actor,
    case_ref: str | None = None,
    data: dict[str, Any] | None = None,
) -> Started:
    """Start the latest version of a pathway, on a new case or one the starter may open.

    Who may start which pathway is :mod:`engine.instances.access`.
    """
    if not isinstance(process_key, str):
        raise InvalidRequest("the process key must be text")
    if data is not None and not isinstance(data, dict):
        raise InvalidRequest("start data must be a JSON object")
    root = repository.latest(session, process_key, "bpmn")
    if root is None:
        raise NotFound(f"no deployed process {process_key[:80]!r}")
    pinned = repository.pin_latest(session, root)
    spec, called = services.specs.specs_for(session, pinned, process_key)
    require_may_start(actor, spec, process_key)
    case, facts_row = _case_for(session, services, actor, case_ref)
    hold(session, facts_row)  # the first save checks the facts' version: not read back
    now = services.clock.now()
    workflow = serialization.new_workflow(spec, called)
    row = ProcessInstance(
        case_id=case.id,
        definition_id=root.id,
        process_key=process_key,
        status=InstanceStatus.RUNNING,
        pinned_json=pinned.to_json(),
        started_by=actor.username,
        started_at=now,
        updated_at=now,
    )
    session.add(row)
    session.flush()
    loaded = store.LoadedInstance(
        row,
        case,
        workflow,
        pinned,
        facts_from_row(services.keyring, facts_row),
        known=store.Projection.nothing_yet(),
        state_stored=False,
    )
    stepping.start(workflow, loaded.step(services), data or {})
    started = store.Happened(
        AuditAction.INSTANCE_STARTED,
        detail={"versions": pinned_versions(session, services, pinned)},
        payload={"data": data} if data else None,
    )
    store.save_and_record(session, services, loaded, now, actor=actor.username, events=[started])
    _assign_to_starter(session, loaded, actor, now)
    return Started(case.ref, row.id, process_key, root.version, row.status, loaded.open_task_ids)


ASSIGN_TO_STARTER = "assignToStarter"


def _assign_to_starter(
    session: Session, loaded: store.LoadedInstance, actor: Actor, now: datetime
) -> None:
    """First tasks marked ``assignToStarter`` go to whoever started the case.

    Anyone may start a screening (first responders are many and varied), so the
    screening itself must be theirs to complete, whatever their roles.
    """
    if actor.is_system:
        return
    marked = [
        task_id
        for task_id in loaded.open_task_ids
        if (task := loaded.workflow.get_task_from_id(uuid.UUID(task_id))) is not None
        and properties(task).get(ASSIGN_TO_STARTER) == "true"
    ]
    if marked:  # most pathways mark none: no statement then
        session.execute(
            update(HumanTask)
            .where(HumanTask.id.in_(marked), HumanTask.state == TaskStatus.READY)
            .values(assignee=actor.username, claimed_at=now)
        )


_TRANSITIONS = {
    AuditAction.INSTANCE_SUSPENDED: ({InstanceStatus.RUNNING}, InstanceStatus.SUSPENDED),
    AuditAction.INSTANCE_RESUMED: ({InstanceStatus.SUSPENDED}, InstanceStatus.RUNNING),
    AuditAction.INSTANCE_TERMINATED: (
        {InstanceStatus.RUNNING, InstanceStatus.SUSPENDED},
        InstanceStatus.TERMINATED,
    ),
}


def change_status(
    session: Session,
    services: Services,
    *,
    instance_id: int,
    actor: Actor,
    action: AuditAction,
    reason: str,
) -> str:
    """Suspend, resume or terminate; administrators only, always with a reason."""
    require_admin(actor, "suspend, resume or terminate instances")
    return move_instance(
        session, services, instance_id=instance_id, actor=actor, action=action, reason=reason
    )


def move_instance(
    session: Session,
    services: Services,
    *,
    instance_id: int,
    actor: Actor,
    action: AuditAction,
    reason: str,
) -> str:
    """The transition itself, for commands that checked their own permission first."""
    reason = required_reason(reason)
    allowed_from, target = _TRANSITIONS[action]
    loaded = store.load(session, services, instance_id)
    if loaded.row.status not in allowed_from:
        raise InvalidRequest(
            f"instance {instance_id} is {loaded.row.status}; cannot {action.label}"
        )
    now = services.clock.now()
    if target == InstanceStatus.TERMINATED:
        loaded.workflow.cancel()
        loaded.row.ended_at = now
    loaded.row.status = target
    store.save_and_record(
        session,
        services,
        loaded,
        now,
        actor=actor.username,
        events=[store.Happened(action, detail={"reason": reason})],
    )
    return target


def view_history(
    session: Session, services: Services, *, actor: Actor, instance_id: int
) -> InstanceMap:
    """An instance's diagram state for oversight; looking is audited like any case view."""
    require_admin(actor, "open an instance's history")
    row = session.get(ProcessInstance, instance_id)
    if row is None:
        raise NotFound(f"no process instance {instance_id}")
    found = instance_map(session, services, instance_id)
    trail.record(
        session,
        services,
        actor,
        AuditAction.CASE_VIEWED,
        context=trail.AuditContext(
            case_ref=found.case_ref, instance_id=instance_id, process_key=row.process_key
        ),
        detail={"view": "instance history"},
    )
    return found
