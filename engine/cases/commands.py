"""Commands on a case: opening it (every look audited), and closing one opened by mistake.

A case opened by mistake (a screening started for nobody, a duplicate) must not sit in
inboxes or count in the statistics, and it must not vanish either: its pathways are
terminated, the case is marked, and who did it and why is in the audit trail. Only a
case on which nothing was recorded yet can be closed this way; once someone answered a
step, the case is real and its pathways end through the administrator's console like
any other.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.cases.access import access_case_by_ref
from engine.cases.overview import CaseOverview, overview
from engine.errors import InvalidRequest
from engine.instances import commands as instance_commands
from engine.instances.models import CaseStatus, InstanceStatus, ProcessInstance
from engine.services import Services
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor, require_supervisor, required_reason


def view_case(session: Session, services: Services, *, actor: Actor, ref: str) -> CaseOverview:
    """The case overview for someone with a relation to it; everyone else gets NotFound,
    and the refusal is recorded too (see ``access_case_by_ref``)."""
    case = access_case_by_ref(session, actor, ref, view="case page")
    trail.record(
        session, services, actor, AuditAction.CASE_VIEWED, context=trail.AuditContext(case.ref)
    )
    return overview(session, services, case)


def close_as_mistake(
    session: Session, services: Services, *, actor: Actor, case_ref: str, reason: str
) -> list[int]:
    """Terminate the case's running pathways and mark it; the ids of the ended instances."""
    require_supervisor(actor, "close a case opened by mistake")
    reason = required_reason(reason)
    case = access_case_by_ref(session, actor, case_ref, view="close as opened by mistake")
    if case.status == CaseStatus.OPENED_BY_MISTAKE:
        raise InvalidRequest(f"{case.ref} is already closed as opened by mistake")
    answered = session.scalar(
        select(func.count())
        .select_from(HumanTask)
        .where(HumanTask.case_id == case.id, HumanTask.state == TaskStatus.COMPLETED)
    )
    if answered:
        raise InvalidRequest(
            f"{case.ref} is not a mistake: {answered} step(s) were already recorded on it;"
            " an administrator ends its pathways from the console, with a reason"
        )
    running = session.scalars(
        select(ProcessInstance.id).where(
            ProcessInstance.case_id == case.id,
            ProcessInstance.status.in_([InstanceStatus.RUNNING, InstanceStatus.SUSPENDED]),
        )
    ).all()
    for instance_id in running:
        instance_commands.move_instance(
            session,
            services,
            instance_id=instance_id,
            actor=actor,
            action=AuditAction.INSTANCE_TERMINATED,
            reason=f"case opened by mistake: {reason}",
        )
    case.status = CaseStatus.OPENED_BY_MISTAKE
    trail.record(
        session,
        services,
        actor,
        AuditAction.CASE_CLOSED_AS_MISTAKE,
        context=trail.AuditContext(case_ref=case.ref),
        detail={"reason": reason, "instances": list(running)},
    )
    return list(running)
