"""Web sessions and API tokens: random secrets handed out once, stored only as hashes.

A stolen database copy therefore holds no usable session or token. Sessions
are server-side (the cookie carries only the secret), so signing out, an
administrator's deactivation and inactivity expiry take effect at once, and
signing in always starts a new session id (no fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.users.actors import Actor
from engine.users.models import ApiToken, User, WebSession

IDLE_TIMEOUT = timedelta(minutes=30)
MAX_SESSION = timedelta(hours=12)
TOUCH_EVERY = timedelta(seconds=60)  # write last-seen at most once a minute


def _digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _actor(user: User | None) -> Actor | None:
    if user is None or not user.is_active:
        return None
    return Actor(user.username, user.role_names, must_change_password=user.must_change_password)


@dataclass(frozen=True)
class SessionCheck:
    actor: Actor | None
    reason: str  # "ok", "unknown", "expired", "revoked", "inactive"


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
    row = session.get(WebSession, _digest(secret)) if secret else None
    if row is None:
        return SessionCheck(None, "unknown")
    if row.revoked_at is not None:
        return SessionCheck(None, "revoked")
    if now - row.last_seen_at > idle_timeout or now > row.expires_at:
        row.revoked_at = now
        return SessionCheck(None, "expired")
    actor = _actor(session.get(User, row.user_id))
    if actor is None:
        row.revoked_at = now
        return SessionCheck(None, "inactive")
    if now - row.last_seen_at >= TOUCH_EVERY:
        row.last_seen_at = now
    return SessionCheck(actor, "ok")


def close_session(session: Session, secret: str, now: datetime) -> None:
    row = session.get(WebSession, _digest(secret)) if secret else None
    if row is not None and row.revoked_at is None:
        row.revoked_at = now


def create_token(session: Session, user: User, name: str, now: datetime) -> str:
    secret = "pp_" + secrets.token_urlsafe(32)
    session.add(ApiToken(token_hash=_digest(secret), user_id=user.id, name=name, created_at=now))
    session.flush()
    return secret


def actor_for_token(session: Session, secret: str, now: datetime) -> Actor | None:
    row = session.scalars(select(ApiToken).where(ApiToken.token_hash == _digest(secret))).first()
    if row is None or row.revoked_at is not None:
        return None
    actor = _actor(session.get(User, row.user_id))
    if actor is not None and (row.last_used_at is None or now - row.last_used_at >= TOUCH_EVERY):
        row.last_used_at = now
    return actor
