"""Oversight of the trail itself: each look an administrator takes is an event of it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit import chain, queries, search, trail
from engine.audit.actions import AuditAction
from engine.audit.models import AuditEvent
from engine.errors import NotFound
from engine.services import Services
from engine.users.actors import Actor, require_admin


def record_verification(
    session: Session, services: Services, *, actor: Actor, report: chain.ChainReport
) -> None:
    """The outcome of a whole-chain check, written into the chain: a forged "all verified"
    would itself break it, and the console reads the last one instead of every row."""
    require_admin(actor, "verify the audit trail")
    trail.record(session, services, actor, AuditAction.CHAIN_VERIFIED, detail=report.as_dict())


def record_export(
    session: Session, services: Services, *, actor: Actor, filters: search.AuditFilters
) -> None:
    """An export of the trail is audited before its first byte leaves."""
    require_admin(actor, "export the audit trail")
    trail.record(
        session,
        services,
        actor,
        AuditAction.EVENT_DATA_VIEWED,
        detail={"export": "csv", "filters": {k: str(v) for k, v in vars(filters).items() if v}},
    )


def open_event_data(
    session: Session, services: Services, *, actor: Actor, seq: int
) -> tuple[queries.AuditEntry, dict[str, Any] | None]:
    """The sealed answers or facts behind one event; opening them is itself an event."""
    require_admin(actor, "open audit event data")
    event = session.scalars(select(AuditEvent).where(AuditEvent.seq == seq)).first()
    if event is None:
        raise NotFound(f"no audit event {seq}")
    trail.record(
        session,
        services,
        actor,
        AuditAction.EVENT_DATA_VIEWED,
        context=trail.AuditContext(
            case_ref=event.case_ref, instance_id=event.instance_id, process_key=event.process_key
        ),
        detail={"seq": seq},
    )
    return queries.entry(event), chain.open_payload(services.keyring, event)
