"""Web sessions and API tokens: random secrets handed out once, stored only as hashes.

A stolen database copy therefore holds no usable session or token. Sessions
are server-side (the cookie carries only the secret), so signing out, an
administrator's deactivation and inactivity expiry take effect at once, and
signing in always starts a new session id (no fixation).

Whenever a person's credentials or access change (a password reset or change,
deactivation, reactivation, a role taken away), :func:`end_all` revokes every
session and token they hold: a stolen cookie or token does not outlive the
change. Revoked rows stay revoked, so reactivating an account revives nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import bindparam, select, update
from sqlalchemy.orm import Session

from engine.users.actors import ACTOR_COLUMNS, Actor, actor_from_rows
from engine.users.models import ApiToken, User, UserRole, WebSession

IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # write last-seen at most once a minute


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class SessionCheck:
    """What a look at a session or token found, and what (rarely) should be written back.

    Checking is a read, so a request never waits for the database's writer; ``write``
    is "touch" (last seen, at most once a minute) or "revoke" (it just expired).
    """

    actor: Actor | None
    reason: str  # "ok", "unknown", "expired", "revoked", "inactive"
    write: str | None = None


def open_session(session: Session, user: User, now: datetime) -> str:
    secret = secrets.token_urlsafe(32)
    session.add(
        WebSession(
            id=_digest(secret),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + MAX_SESSION,
        )
    )
    session.flush()
    return secret


def check_session(
    session: Session, secret: str, now: datetime, *, idle_timeout: timedelta = IDLE_TIMEOUT
) -> SessionCheck:
    rows = session.execute(_SESSION_ACTOR, {"key": _digest(secret)}).all() if secret else []
    if not rows:
        return SessionCheck(None, "unknown")
    revoked_at, last_seen_at, expires_at = rows[0][:3]
    if revoked_at is not None:
        return SessionCheck(None, "revoked")
    if now - last_seen_at > idle_timeout or now > expires_at:
        return SessionCheck(None, "expired", "revoke")
    found = actor_from_rows(rows)
    if found is None or not found[1]:
        return SessionCheck(None, "inactive", "revoke")
    return SessionCheck(found[0], "ok", "touch" if now - last_seen_at >= TOUCH_EVERY else None)


# Checked on every request: the secret's row, its user and the user's roles in one statement
# built once (an inner join: a row whose user is gone finds nothing, and is refused).
_SESSION_ACTOR = (
    select(WebSession.revoked_at, WebSession.last_seen_at, WebSession.expires_at, *ACTOR_COLUMNS)
    .join(User, User.id == WebSession.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(WebSession.id == bindparam("key"))
)
_TOKEN_ACTOR = (
    select(ApiToken.revoked_at, ApiToken.last_used_at, *ACTOR_COLUMNS)
    .join(User, User.id == ApiToken.user_id)
    .outerjoin(UserRole, UserRole.user_id == User.id)
    .where(ApiToken.token_hash == bindparam("key"))
)


def record_session_check(session: Session, secret: str, check: SessionCheck, now: datetime) -> None:
    row = session.get(WebSession, _digest(secret))
    if row is None or row.revoked_at is not None:
        return
    if check.write == "revoke":
        row.revoked_at = now
    elif check.write == "touch":
        row.last_seen_at = max(row.last_seen_at, now)


def close_session(session: Session, secret: str, now: datetime) -> None:
    row = session.get(WebSession, _digest(secret)) if secret else None
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


def end_all(session: Session, user: User, now: datetime) -> int:
    """Revoke every web session and API token of ``user``; returns how many were still live."""
    ended = 0
    for model in (WebSession, ApiToken):
        result = session.execute(
            update(model)
            .where(model.user_id == user.id, model.revoked_at.is_(None))
            .values(revoked_at=now)
            .execution_options(synchronize_session="fetch")
        )
        ended += result.rowcount
    return ended


def create_token(session: Session, user: User, name: str, now: datetime) -> str:
    secret = "pp_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(secret), user_id=user.id, name=name, created_at=now))
    session.flush()
    return secret


def check_token(session: Session, secret: str, now: datetime) -> SessionCheck:
    rows = session.execute(_TOKEN_ACTOR, {"key": _digest(secret)}).all()
    if not rows:
        return SessionCheck(None, "unknown")
    revoked_at, last_used_at = rows[0][:2]
    if revoked_at is not None:
        return SessionCheck(None, "revoked")
    found = actor_from_rows(rows)
    if found is None or not found[1]:
        return SessionCheck(None, "inactive")
    stale = last_used_at is None or now - last_used_at >= TOUCH_EVERY
    return SessionCheck(found[0], "ok", "touch" if stale else None)


def record_token_use(session: Session, secret: str, now: datetime) -> None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if row is not None and (row.last_used_at is None or row.last_used_at < now):
        row.last_used_at = now
