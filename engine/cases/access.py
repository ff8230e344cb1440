"""Need-to-know: who may open a case.

Administrators; whoever started it; anyone who holds or held one of its tasks
(assigned to them, completed by them, or open in a role they hold); and the
members of its team. Everyone else is told the case does not exist, so a
reference reveals nothing, and the refusal is audited.
"""

from __future__ import annotations

from sqlalchemy import exists, or_, select
from sqlalchemy.orm import Session

from engine.cases.models import CaseMember
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.tasks.models import HumanTask
from engine.tasks.projection import READY
from engine.users.actors import Actor


def case_by_ref(session: Session, ref: str) -> ProtectionCase | None:
    return session.scalars(select(ProtectionCase).where(ProtectionCase.ref == ref)).first()


def has_relation(session: Session, actor: Actor, case: ProtectionCase) -> bool:
    if actor.is_admin or case.created_by == actor.username:
        return True
    held_task = exists().where(
        HumanTask.case_id == case.id,
        or_(
            HumanTask.assignee == actor.username,
            HumanTask.completed_by == actor.username,
            (HumanTask.state == READY) & HumanTask.role.in_(sorted(actor.roles)),
        ),
    )
    started = exists().where(
        ProcessInstance.case_id == case.id, ProcessInstance.started_by == actor.username
    )
    member = exists().where(CaseMember.case_id == case.id, CaseMember.username == actor.username)
    return bool(session.scalar(select(held_task | started | member)))
