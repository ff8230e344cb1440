"""The one way engine code records what happened in the audit trail.

Every command records its events through :func:`record`, in its own transaction, so
the chain's rules (hashing, sealing payloads, taking the head row late) live in
``engine/audit/chain.py`` alone and a test can check that nothing else appends.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.users.actors import Actor

if TYPE_CHECKING:
    from engine.services import Services

AuditContext = chain.AuditContext


def record(
    session: Session,
    services: Services,
    actor: Actor | str,
    action: AuditAction,
    *,
    context: AuditContext | None = None,
    task_id: str | None = None,
    detail: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """One event in the caller's transaction, at ``at`` (default: now on the engine's clock).

    ``actor`` is the person or a name nobody resolved (a refused sign-in's typed username);
    ``payload`` holds what people typed or the data disclosed, and is sealed.
    """
    chain.append(
        session,
        services.keyring,
        occurred_at=at or services.clock.now(),
        actor=actor if isinstance(actor, str) else actor.username,
        action=action,
        context=context,
        task_id=task_id,
        detail=detail,
        payload=payload,
    )
