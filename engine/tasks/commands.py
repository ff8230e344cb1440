"""Commands on user tasks: open, claim, unclaim, reassign, keep a draft, complete."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.util.task import TaskState
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.cases.access import may_open
from engine.db.database import hold
from engine.errors import (
    ConflictError,
    FormValidationFailed,
    GuardRefused,
    InstanceNotRunning,
    InvalidRequest,
    NotFound,
    PermissionDenied,
)
from engine.forms.schemas import answer_errors, without_blank_text
from engine.instances import store
from engine.instances.models import InstanceStatus, ProcessInstance, ProtectionCase
from engine.services import Services
from engine.spiff import stepping
from engine.tasks import access, rules
from engine.tasks.details import TaskDetails, task_details
from engine.tasks.drafts import discard_drafts, save_draft
from engine.tasks.models import HumanTask, TaskStatus
from engine.tasks.projection import completion_write
from engine.tasks.queries import TaskView, view_of
from engine.users.actors import (
    SYSTEM,
    Actor,
    active_actor,
    require_supervisor,
    required_reason,
    resolve_actor,
)


@dataclass(frozen=True)
class Completed:
    task_id: str
    instance_id: int
    case_ref: str
    instance_status: str
    next_task_ids: list[str]

    def as_dict(self) -> dict[str, Any]:
        return {
            "task_id": self.task_id,
            "instance_id": self.instance_id,
            "case_ref": self.case_ref,
            "instance_status": self.instance_status,
            "next_task_ids": self.next_task_ids,
        }


def not_open(row: HumanTask) -> ConflictError:
    """The refusal for a task that is done: who did it and when, never what was answered."""
    if row.state == TaskStatus.COMPLETED:
        who = f" by {row.completed_by}" if row.completed_by else ""
        when = f" at {row.completed_at:%Y-%m-%d %H:%M} UTC" if row.completed_at else ""
        message = f"Task '{row.title}' ({row.id}) was already completed{who}{when}."
    else:
        message = f"Task '{row.title}' ({row.id}) is no longer open ({row.state.lower()})."
    return ConflictError(message, task_id=row.id)


def _overseen_task(session: Session, actor: Actor, task_id: str, doing: str) -> HumanTask:
    """A supervisor acts on others' tasks only on cases they may open themselves."""
    require_supervisor(actor, doing)
    row = session.get(HumanTask, task_id, with_for_update=True) if task_id else None
    case = session.get(ProtectionCase, row.case_id) if row is not None else None
    if case is None or not may_open(session, actor, case):
        raise NotFound(f"no task {task_id}")
    return row


def claim(session: Session, services: Services, *, task_id: str, actor: Actor) -> TaskView:
    row = access.actionable_task_by_id(session, actor, task_id, lock=True)
    if row.state != TaskStatus.READY:
        raise not_open(row)
    if not access.may_claim(actor, row):
        raise PermissionDenied(f"you do not hold the role {row.role!r} of task '{row.title}'")
    if row.assignee == actor.username:
        return view_of(session, row)
    if row.assignee is not None:
        raise ConflictError(
            f"Task '{row.title}' is already claimed by {row.assignee}.", task_id=row.id
        )
    return _assign(
        session,
        services,
        row,
        actor=actor,
        assignee=actor.username,
        action=AuditAction.TASK_CLAIMED,
    )


def unclaim(session: Session, services: Services, *, task_id: str, actor: Actor) -> TaskView:
    """The assignee gives a task back; a supervisor may take it back from someone else."""
    row = access.actionable_task_by_id(session, actor, task_id, lock=True)
    if row.state != TaskStatus.READY:
        raise not_open(row)
    if row.assignee is None:
        return view_of(session, row)
    if row.assignee != actor.username:
        if not actor.is_supervisor:
            raise PermissionDenied(f"task '{row.title}' is claimed by {row.assignee}")
        row = _overseen_task(session, actor, task_id, "take back others' tasks")
    return _assign(
        session, services, row, actor=actor, assignee=None, action=AuditAction.TASK_UNCLAIMED
    )


def reassign(
    session: Session, services: Services, *, task_id: str, actor: Actor, to_user: str, reason: str
) -> TaskView:
    """Supervisors move a task to someone else holding its role, with a reason."""
    row = _overseen_task(session, actor, task_id, "reassign tasks")
    if row.state != TaskStatus.READY:
        raise not_open(row)
    reason = required_reason(reason)
    target = resolve_actor(session, to_user)
    if not access.holds_role(target, row):
        raise InvalidRequest(f"{to_user} does not hold the role {row.role!r} of task '{row.title}'")
    return _assign(
        session,
        services,
        row,
        actor=actor,
        assignee=to_user,
        action=AuditAction.TASK_REASSIGNED,
        extra={"reason": reason},
    )


def _assign(
    session: Session,
    services: Services,
    row: HumanTask,
    *,
    actor: Actor,
    assignee: str | None,
    action: AuditAction,
    extra: dict[str, str] | None = None,
) -> TaskView:
    """Claiming touches only the projection: the workflow state does not know assignees."""
    now = services.clock.now()
    previous = row.assignee
    row.assignee, row.claimed_at = assignee, (now if assignee else None)
    session.flush()
    record_about_task(
        session, services, row, actor, action, previous_assignee=previous, **(extra or {})
    )
    return view_of(session, row)


def record_about_task(
    session: Session,
    services: Services,
    row: HumanTask,
    actor: Actor,
    action: AuditAction,
    **detail: Any,
) -> None:
    """One audit event about a task (claimed, viewed, a draft kept...), with its case and
    pathway version, in the caller's transaction. The instance and case rows are held: the
    task's page and the claim's answer read them next."""
    instance = session.get(ProcessInstance, row.instance_id)
    case = session.get(ProtectionCase, row.case_id)
    hold(session, instance, case)
    trail.record(
        session,
        services,
        actor,
        action,
        context=store.context_for(session, services, instance, case),
        task_id=row.id,
        detail={"bpmn_id": row.bpmn_id, "title": row.title, **detail},
    )


def complete_as(
    session: Session,
    services: Services,
    *,
    task_id: str,
    username: str,
    answers: dict[str, Any],
) -> Completed:
    """:func:`complete` by the person named: who acts is read with the task, in its statement
    (a round trip fewer per completion), and refused as :func:`resolve_actor` refuses. When
    the task or the person is not found there, :func:`resolve_actor` answers first, so an
    unknown or deactivated user learns nothing about the task."""
    if username == SYSTEM.username or not isinstance(task_id, str):
        actor = SYSTEM if username == SYSTEM.username else resolve_actor(session, username)
        return complete(session, services, task_id=task_id, actor=actor, answers=answers)
    read = store.read_for_task(session, task_id, as_user=username)
    if read is None:
        actor = resolve_actor(session, username)
    else:
        actor = active_actor(read.actor_rows, username)
    return complete(session, services, task_id=task_id, actor=actor, answers=answers, read=read)


def complete(
    session: Session,
    services: Services,
    *,
    task_id: str,
    actor: Actor,
    answers: dict[str, Any],
    read: store.TaskRows | None = None,
) -> Completed:
    """Validate, complete, run on, persist, audit; on any refusal nothing changes."""
    if read is None and isinstance(task_id, str):
        read = store.read_for_task(session, task_id)
    row = access.actionable_task_by_id(session, actor, task_id)
    if row.state != TaskStatus.READY:
        raise not_open(row)
    if not access.may_complete(actor, row):
        if row.assignee and row.assignee != actor.username:
            raise PermissionDenied(f"task '{row.title}' is claimed by {row.assignee}")
        raise PermissionDenied(f"you do not hold the role {row.role!r} of task '{row.title}'")
    loaded = store.load(session, services, row.instance_id, read=read)
    if loaded.row.status != InstanceStatus.RUNNING:
        raise InstanceNotRunning(
            f"Task '{row.title}' cannot be completed: its process is {loaded.row.status}.",
            task_id=row.id,
        )
    task = loaded.workflow.get_task_from_id(uuid.UUID(row.id))
    if task is None or task.state != TaskState.READY:
        raise not_open(row)
    if row.form:
        answers = without_blank_text(answers)
        schema = services.specs.form_schema(session, loaded.pinned, row.process_key, row.form)
        errors = answer_errors(schema, answers, now=services.clock.now())
        if errors:
            raise FormValidationFailed(errors)
    elif answers:  # without a form nothing says what an answer may hold: it takes none
        raise InvalidRequest(f"'{row.title}' has no form: it is completed with no answers")
    separation = rules.separation_refusal(session, row, actor, task)
    if separation:
        raise PermissionDenied(separation)
    refusals = rules.guard_refusals(task, answers, loaded.step(services))
    if refusals:
        raise GuardRefused(refusals)
    now = services.clock.now()
    stepping.complete(loaded.workflow, task, answers, loaded.step(services))
    completed = store.Happened(
        AuditAction.TASK_COMPLETED,
        task_id=row.id,
        detail={"bpmn_id": row.bpmn_id, "title": row.title, "form": row.form, "role": row.role},
        payload={"answers": answers},
    )
    store.save_and_record(
        session,
        services,
        loaded,
        now,
        actor=actor.username,
        events=[completed],
        completing=completion_write(row, actor.username, now),
    )
    if read is None or read.has_drafts:
        discard_drafts(session, row.id)
    return Completed(
        row.id, loaded.row.id, loaded.case.ref, loaded.row.status, loaded.open_task_ids
    )


def task_to_show(session: Session, actor: Actor, task_id: str) -> HumanTask:
    """A task whose page this person may open: open to them, or theirs to act on."""
    row = access.actionable_task_by_id(session, actor, task_id)
    if not access.may_see(actor, row):  # was in their role, done by someone else
        raise not_open(row)
    return row


def view_task(session: Session, services: Services, *, actor: Actor, task_id: str) -> TaskDetails:
    """A task page's content; opening it is a look at case data, so it is audited."""
    row = task_to_show(session, actor, task_id)
    record_about_task(session, services, row, actor, AuditAction.CASE_VIEWED)
    return task_details(session, services, row, actor)


def save_task_draft(
    session: Session, services: Services, *, actor: Actor, task_id: str, answers: dict[str, Any]
) -> None:
    """Typed answers about a person are kept sealed for their author: who and when is
    audited, what is not."""
    row = access.access_task_by_id(session, actor, task_id)
    if row.state != TaskStatus.READY:
        raise InvalidRequest(f"task '{row.title}' is no longer open; nothing to draft")
    save_draft(
        session,
        services.keyring,
        task_id=task_id,
        username=actor.username,
        answers=answers,
        now=services.clock.now(),
    )
    record_about_task(session, services, row, actor, AuditAction.TASK_DRAFT_SAVED)
