"""Administering people: roles, (de)activation, password resets, and case team membership.

A new password (reset or changed), a deactivation or reactivation, and a role taken away each
end every web session and API token the person holds (``credentials.end_all``), in the same
transaction: nothing issued under the old credentials or access answers afterwards.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.cases.access import case_by_ref
from engine.cases.models import CaseMember
from engine.errors import InvalidRequest, NotFound
from engine.instances.models import ProtectionCase
from engine.services import Services
from engine.users.actors import Actor, require_admin
from engine.users.credentials import end_all
from engine.users.models import User, UserRole
from engine.users.passwords import hash_password, password_problem, verify_password
from engine.users.roles import is_valid_role, normalise_role
from engine.users.service import find_user


@dataclass(frozen=True)
class UserView:
    username: str
    display_name: str
    roles: list[str]
    is_active: bool
    must_change_password: bool
    last_login_at: datetime | None
    locked_until: datetime | None
    cases: list[str]


def _user(session: Session, username: str) -> User:
    user = find_user(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    return user


def _audit(
    session: Session,
    services: Services,
    actor: Actor,
    action: AuditAction,
    context: trail.AuditContext | None = None,
    **detail,
) -> None:
    trail.record(session, services, actor, action, context=context, detail=detail)


def list_users(session: Session) -> list[UserView]:
    members: dict[str, list[str]] = {}
    for username, ref in session.execute(
        select(CaseMember.username, ProtectionCase.ref).join(
            ProtectionCase, ProtectionCase.id == CaseMember.case_id
        )
    ):
        members.setdefault(username, []).append(ref)
    return [
        UserView(
            u.username,
            u.display_name,
            sorted(u.role_names),
            u.is_active,
            u.must_change_password,
            u.last_login_at,
            u.locked_until,
            sorted(members.get(u.username, [])),
        )
        for u in session.scalars(select(User).order_by(User.username))
    ]


def set_roles(
    session: Session, services: Services, *, actor: Actor, username: str, roles: list[str]
) -> None:
    require_admin(actor, "change roles")
    bad = [r for r in roles if not is_valid_role(r)]
    if bad:
        raise InvalidRequest(f"not a role name: {', '.join(bad)}")
    user = _user(session, username)
    wanted = sorted({normalise_role(r) for r in roles})
    if user.username == actor.username and "admin" not in wanted:
        raise InvalidRequest("you cannot remove your own administrator role")
    before = sorted(user.role_names)
    user.roles = [UserRole(role=r) for r in wanted]
    if set(before) - set(wanted):  # access taken away: nothing signed in keeps the old roles
        end_all(session, user, services.clock.now())
    _audit(
        session,
        services,
        actor,
        AuditAction.USER_ROLES_CHANGED,
        username=username,
        before=before,
        after=wanted,
    )


def set_active(
    session: Session, services: Services, *, actor: Actor, username: str, active: bool
) -> None:
    require_admin(actor, "deactivate or reactivate people")
    user = _user(session, username)
    if user.username == actor.username and not active:
        raise InvalidRequest("you cannot deactivate yourself")
    was_active, user.is_active = user.is_active, active
    # Deactivation signs out everywhere at once; reactivation starts from nothing (a token or
    # session from before, even one a deactivation under older code left live, stays dead).
    if not (was_active and active):
        end_all(session, user, services.clock.now())
    _audit(
        session,
        services,
        actor,
        AuditAction.USER_ACTIVATED if active else AuditAction.USER_DEACTIVATED,
        username=username,
    )


def reset_password(
    session: Session, services: Services, *, actor: Actor, username: str, temporary: str
) -> None:
    """Set a temporary password the person must change at their next sign-in."""
    require_admin(actor, "reset passwords")
    if problem := password_problem(temporary):
        raise InvalidRequest(problem)
    user = _user(session, username)
    user.password_hash, user.must_change_password = hash_password(temporary), True
    user.failed_login_count, user.locked_until = 0, None
    end_all(session, user, services.clock.now())
    _audit(session, services, actor, AuditAction.PASSWORD_RESET, username=username)


def change_password(
    session: Session, services: Services, *, actor: Actor, current: str, new: str
) -> None:
    user = _user(session, actor.username)
    if not verify_password(user.password_hash, current):
        raise InvalidRequest("the current password is not right")
    if problem := password_problem(new):
        raise InvalidRequest(problem)
    if new == current:
        raise InvalidRequest("choose a password different from the current one")
    user.password_hash, user.must_change_password = hash_password(new), False
    end_all(session, user, services.clock.now())  # the web layer opens a fresh session
    _audit(session, services, actor, AuditAction.PASSWORD_CHANGED, username=actor.username)


def add_member(
    session: Session, services: Services, *, actor: Actor, case_ref: str, username: str, reason: str
) -> None:
    require_admin(actor, "add people to a case team")
    if not reason.strip():
        raise InvalidRequest("a reason is required")
    case = case_by_ref(session, case_ref)
    if case is None:
        raise NotFound(f"no case {case_ref}")
    _user(session, username)
    if session.get(CaseMember, (case.id, username)) is None:
        session.add(
            CaseMember(
                case_id=case.id,
                username=username,
                added_by=actor.username,
                added_at=services.clock.now(),
                reason=reason.strip(),
            )
        )
    _audit(
        session,
        services,
        actor,
        AuditAction.CASE_MEMBER_ADDED,
        trail.AuditContext(case_ref=case.ref),
        username=username,
        reason=reason.strip(),
    )


def remove_member(
    session: Session, services: Services, *, actor: Actor, case_ref: str, username: str
) -> None:
    require_admin(actor, "remove people from a case team")
    case = case_by_ref(session, case_ref)
    if case is None:
        raise NotFound(f"no case {case_ref}")
    session.execute(
        delete(CaseMember).where(CaseMember.case_id == case.id, CaseMember.username == username)
    )
    _audit(
        session,
        services,
        actor,
        AuditAction.CASE_MEMBER_REMOVED,
        trail.AuditContext(case_ref=case.ref),
        username=username,
    )
