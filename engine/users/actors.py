"""Who is acting: a signed-in user with roles, or the system itself (timers)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload

from engine.errors import InvalidRequest, NotFound, PermissionDenied
from engine.users.models import User
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
    # One statement: the roles come joined rather than by a second SELECT (selectin).
    user = (
        session.scalars(
            select(User).options(joinedload(User.roles)).where(User.username == username)
        )
        .unique()
        .first()
    )
    if user is None:
        raise NotFound(f"no user named {username!r}")
    if not user.is_active:
        raise PermissionDenied(f"user {username!r} is deactivated")
    return Actor(user.username, user.role_names, must_change_password=user.must_change_password)


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


def required_reason(reason: str) -> str:
    """Every administrative change carries a reason into the audit trail."""
    text = (reason or "").strip()
    if not text:
        raise InvalidRequest("a reason is required")
    return text
