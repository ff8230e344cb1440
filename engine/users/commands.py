"""Sign-in, sessions and tokens: the writes a person's own credentials go through.

Each is a command: it takes the transaction's session, the engine's services and who is
acting, and records its audit events through :func:`engine.audit.trail.record`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.errors import NotFound
from engine.services import Services
from engine.users import admin as user_admin
from engine.users import credentials
from engine.users import service as users
from engine.users.actors import Actor


@dataclass(frozen=True)
class SignIn:
    result: users.LoginResult
    session_secret: str | None


def sign_in(session: Session, services: Services, *, username: str, password: str) -> SignIn:
    """Check the password and, when it is right, open a new server-side session."""
    result = users.authenticate(session, services, username=username, password=password)
    secret = None
    if result.ok:
        user = users.find_user(session, username)
        secret = credentials.open_session(session, user, services.clock.now())
    return SignIn(result, secret)


def record_sign_in_throttled(
    session: Session, services: Services, *, username: str, limit: str, refused: int, address: str
) -> None:
    """Sign-ins the web layer's attempt limits refused before any password check.

    ``refused`` is how many refusals this record stands for; the address is sealed in the
    payload (where staff sign in from is nobody else's business).
    """
    trail.record(
        session,
        services,
        username[:64],
        AuditAction.LOGIN_THROTTLED,
        detail={"reason": f"too many attempts per {limit}", "refused": refused},
        payload={"address": address},
    )


def change_own_password(
    session: Session, services: Services, *, actor: Actor, current: str, new: str
) -> str:
    """Every session and token of theirs ends (a stolen one with them) and one new session
    opens for the browser that made the change; its secret is returned for the cookie."""
    user_admin.change_password(session, services, actor=actor, current=current, new=new)
    user = users.find_user(session, actor.username)
    return credentials.open_session(session, user, services.clock.now())


def touch_session(
    session: Session,
    services: Services,
    *,
    secret: str,
    check: credentials.SessionCheck,
    now: datetime,
) -> None:
    """The rare write a session check calls for (last seen, or its end), at most once a
    minute: checking is a read, so a page view is not a write transaction."""
    credentials.record_session_check(session, secret, check, now)


def touch_token(session: Session, services: Services, *, secret: str, now: datetime) -> None:
    """A token's last use, written at most once a minute."""
    credentials.record_token_use(session, secret, now)


def sign_out(session: Session, services: Services, *, username: str, secret: str) -> None:
    """``username`` is the name the session carried (it may have been deactivated since)."""
    credentials.close_session(session, secret, services.clock.now())
    trail.record(session, services, username, AuditAction.LOGOUT)


def create_token(session: Session, services: Services, *, username: str, name: str) -> str:
    """A new API token; the secret is returned once and stored hashed."""
    user = users.find_user(session, username)
    if user is None:
        raise NotFound(f"no user named {username!r}")
    secret = credentials.create_token(session, user, name, services.clock.now())
    trail.record(session, services, username, AuditAction.TOKEN_CREATED, detail={"name": name})
    return secret
