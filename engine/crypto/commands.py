"""What key rotation and re-encryption record: a change to every stored case is an event
of the trail like any other."""

from __future__ import annotations

from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.crypto.rotation import ResealReport
from engine.services import Services
from engine.users.actors import Actor, require_admin, require_unless_operator


def record_rotation(session: Session, services: Services, *, actor: Actor) -> None:
    """A new key was put first in the key file (by the operator, outside the database)."""
    require_unless_operator(actor, require_admin, "rotate data keys")
    trail.record(
        session,
        services,
        actor,
        AuditAction.KEY_ROTATED,
        detail={"key": services.keyring.active_key_id},
    )


def record_reseal(
    session: Session, services: Services, *, actor: Actor, report: ResealReport
) -> None:
    """Who re-encrypted, under which key, and what moved or was left for the next run."""
    require_unless_operator(actor, require_admin, "re-encrypt stored data")
    trail.record(
        session,
        services,
        actor,
        AuditAction.DATA_RESEALED,
        detail={
            "key": services.keyring.active_key_id,
            "resealed": report.resealed,
            "changed_meanwhile": report.changed_meanwhile,
            "audit_payloads_on_old_keys": report.audit_payloads_on_old_keys,
        },
    )
