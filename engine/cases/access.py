"""Need-to-know: who may open a case. The one place this rule is written.

Administrators (and the engine itself); whoever opened the case; anyone who
holds or held one of its tasks (assigned to them, completed by them, or open
in a role they hold); and the members of its team. Everyone else is told the
case does not exist, so a reference reveals nothing.

The rule is one SQL clause (:func:`visible_cases`), so a single query both
finds a case and checks it, and lists can filter by it; every Python check
goes through the same clause. Having *started* a pathway is not a relation of
its own: starting on an existing case needs the relation first.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, or_, select, true
from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.cases.models import CaseMember
from engine.errors import NotFound, RefusalNote
from engine.instances.case_refs import CASE_REF, normalise_ref
from engine.instances.models import ProtectionCase
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor

MAX_REF_IN_AUDIT = 40


def visible_cases(actor: Actor) -> ColumnElement[bool]:
    """SQL over ``protection_case``: true for the cases ``actor`` may open."""
    if actor.is_admin or actor.is_system:
        return true()
    held_task = exists().where(
        HumanTask.case_id == ProtectionCase.id,
        or_(
            HumanTask.assignee == actor.username,
            HumanTask.completed_by == actor.username,
            (HumanTask.state == TaskStatus.READY) & HumanTask.role.in_(sorted(actor.roles)),
        ),
    )
    member = exists().where(
        CaseMember.case_id == ProtectionCase.id, CaseMember.username == actor.username
    )
    return or_(ProtectionCase.created_by == actor.username, held_task, member)


def case_by_ref(session: Session, ref: str) -> ProtectionCase | None:
    """Unchecked lookup, for administrators' own operations (team membership)."""
    return session.scalars(
        select(ProtectionCase).where(ProtectionCase.ref == normalise_ref(ref))
    ).first()


def may_open(session: Session, actor: Actor, case: ProtectionCase) -> bool:
    query = select(exists().where(ProtectionCase.id == case.id, visible_cases(actor)))
    return bool(session.scalar(query))


def access_case_by_ref(
    session: Session, actor: Actor, ref: str, *, view: str = "case"
) -> ProtectionCase:
    """The case, if ``actor`` may open it; otherwise :class:`NotFound`, as if it did not exist.

    The refusal carries a ``case:access:refused`` audit event naming what was
    asked for (``view``), which the engine records after the rollback.
    """
    ref = normalise_ref(ref)
    case = (
        session.scalars(
            select(ProtectionCase).where(ProtectionCase.ref == ref, visible_cases(actor))
        ).first()
        if isinstance(ref, str)
        else None
    )
    if case is None:
        refused = RefusalNote(
            actor.username,
            AuditAction.CASE_ACCESS_REFUSED,
            {"ref": str(ref)[:MAX_REF_IN_AUDIT], "view": view},
            # In its column too, so a search of the case's audit trail shows who tried.
            case_ref=ref if isinstance(ref, str) and CASE_REF.match(ref) else None,
        )
        raise NotFound(f"no case {str(ref)[:MAX_REF_IN_AUDIT]}", audit=refused)
    return case
