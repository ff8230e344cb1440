"""Who is acting: a signed-in user with roles, or the system itself (timers)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from engine.errors import InvalidRequest, NotFound, PermissionDenied
from engine.users.models import User, UserRole
from engine.users.roles import ADMIN, COORDINATOR, SUPERVISOR


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset[str]
    is_system: bool = False
    must_change_password: bool = False

    @property
    def is_admin(self) -> bool:
        return ADMIN in self.roles

    @property
    def is_supervisor(self) -> bool:
        return SUPERVISOR in self.roles or self.is_admin

    @property
    def is_coordinator(self) -> bool:
        return COORDINATOR in self.roles or self.is_admin


SYSTEM = Actor("system", frozenset(), is_system=True)


def resolve_actor(session: Session, username: str) -> Actor:
    """An active user by name; unknown and deactivated users may not act."""
    return active_actor(session.execute(_ACTOR_BY_NAME, {"key": username}).all(), username)


def active_actor(rows: Sequence[Sequence[Any]], username: str) -> Actor:
    """The person in rows ending in :data:`ACTOR_COLUMNS` (read by :func:`resolve_actor`, or
    with a command's first read), refused when unknown or deactivated."""
    found = actor_from_rows(rows)
    if found is None:
        raise NotFound(f"no user named {username!r}")
    actor, is_active = found
    if not is_active:
        raise PermissionDenied(f"user {username!r} is deactivated")
    return actor


# Every request and command starts here: one plain query, the user and the roles joined, built
# once, so no ORM object with its collection is built and no statement is put together again.
ACTOR_COLUMNS = (User.username, User.is_active, User.must_change_password, UserRole.role)
_ACTOR = select(*ACTOR_COLUMNS).outerjoin(UserRole, UserRole.user_id == User.id)
_ACTOR_BY_NAME = _ACTOR.where(User.username == bindparam("key"))


def actor_from_rows(rows: Sequence[Sequence[Any]]) -> tuple[Actor, bool] | None:
    """(the actor, whether active) from rows ending in :data:`ACTOR_COLUMNS`, one per role."""
    if not rows:
        return None
    username, is_active, must_change_password, _ = rows[0][-4:]
    roles = frozenset(row[-1] for row in rows if row[-1] is not None)
    return Actor(username, roles, must_change_password=bool(must_change_password)), is_active


# The oversight roles' rules, written once for the whole engine. ``doing`` completes
# "only ... may <doing>" in the refusal, so people learn what they were refused.


def require_admin(actor: Actor, doing: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only administrators may {doing}")


def require_coordinator(actor: Actor, doing: str) -> None:
    if not actor.is_coordinator:
        raise PermissionDenied(f"only coordinators and administrators may {doing}")


def require_supervisor(actor: Actor, doing: str) -> None:
    if not actor.is_supervisor:
        raise PermissionDenied(f"only supervisors and administrators may {doing}")


def require_unless_operator(actor: Actor, rule: Callable[[Actor, str], None], doing: str) -> None:
    """The operator's command line (``system``) may; a person needs what ``rule`` asks for."""
    if not actor.is_system:
        rule(actor, doing)


def required_reason(reason: str) -> str:
    """Every administrative change carries a reason into the audit trail."""
    text = (reason or "").strip()
    if not text:
        raise InvalidRequest("a reason is required")
    return text
