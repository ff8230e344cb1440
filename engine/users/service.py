"""Creating users and signing them in, with lock-out after repeated failures."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.errors import InvalidRequest
from engine.services import Services
from engine.users.actors import Actor, require_admin, require_unless_operator
from engine.users.models import User, UserRole
from engine.users.passwords import hash_password, password_problem, verify_password
from engine.users.roles import is_valid_role, normalise_role

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)


@dataclass(frozen=True)
class LoginResult:
    ok: bool
    actor: Actor | None
    reason: str  # shown to administrators in the audit, never to the person signing in


def find_user(session: Session, username: str) -> User | None:
    return session.scalars(select(User).where(User.username == username)).first()


def add_user(
    session: Session,
    services: Services,
    *,
    username: str,
    roles: list[str],
    password: str | None,
    display_name: str = "",
    actor: Actor,
    must_change_password: bool = False,
) -> User:
    """The operator's command line creates the first administrator; then administrators."""
    require_unless_operator(actor, require_admin, "add users")
    username = username.strip()
    if (
        not username
        or len(username) > 64
        or not username.replace(".", "").replace("-", "").replace("_", "").isalnum()
    ):
        raise InvalidRequest("a username is 1-64 letters, digits, '.', '-' or '_'")
    if find_user(session, username) is not None:
        raise InvalidRequest(f"user {username!r} already exists")
    bad_roles = [r for r in roles if not is_valid_role(r)]
    if bad_roles:
        raise InvalidRequest(f"not a role name: {', '.join(bad_roles)}")
    if password is not None and (problem := password_problem(password)):
        raise InvalidRequest(problem)
    now = services.clock.now()
    role_names = sorted({normalise_role(r) for r in roles})
    user = User(
        username=username,
        display_name=display_name or username,
        password_hash=hash_password(password) if password is not None else None,
        created_at=now,
        roles=[UserRole(role=r) for r in role_names],
        must_change_password=must_change_password,
    )
    session.add(user)
    session.flush()
    trail.record(
        session,
        services,
        actor,
        AuditAction.USER_CREATED,
        detail={"username": username, "roles": role_names},
        at=now,
    )
    return user


def authenticate(
    session: Session, services: Services, *, username: str, password: str
) -> LoginResult:
    """Check a password; every outcome is audited in the transaction that moves the counter."""
    now = services.clock.now()
    user = session.scalars(select(User).where(User.username == username).with_for_update()).first()
    valid = verify_password(user.password_hash if user else None, password)
    reason = "ok"
    if user is None:
        reason = "unknown user"
    elif not user.is_active:
        reason = "deactivated"
    elif user.locked_until is not None and user.locked_until > now:
        reason = "locked out"
    elif not valid:
        reason = "wrong password"
        user.failed_login_count += 1
        if user.failed_login_count >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_login_count = 0
            reason = "wrong password; account locked"
    ok = reason == "ok"
    if ok:
        user.failed_login_count = 0
        user.locked_until = None
        user.last_login_at = now
    trail.record(
        session,
        services,
        username[:64],
        AuditAction.LOGIN_OK if ok else AuditAction.LOGIN_FAILED,
        detail={"reason": reason},
        at=now,
    )
    return LoginResult(ok, Actor(user.username, user.role_names) if ok and user else None, reason)
