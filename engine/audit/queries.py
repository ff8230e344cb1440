"""Reading the trail (never writes)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEvent


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    occurred_at: datetime
    actor: str
    action: str
    case_ref: str | None
    instance_id: int | None
    task_id: str | None
    process_key: str | None
    definition_version: int | None
    detail: dict[str, Any]
    has_payload: bool

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "occurred_at": self.occurred_at.isoformat(),
            "actor": self.actor,
            "action": self.action,
            "case_ref": self.case_ref,
            "instance_id": self.instance_id,
            "task_id": self.task_id,
            "process_key": self.process_key,
            "definition_version": self.definition_version,
            "detail": self.detail,
            "has_payload": self.has_payload,
        }


def entry(event: AuditEvent) -> AuditEntry:
    return AuditEntry(
        event.seq,
        event.occurred_at,
        event.actor,
        event.action,
        event.case_ref,
        event.instance_id,
        event.task_id,
        event.process_key,
        event.definition_version,
        json.loads(event.detail_json or "{}"),
        event.payload is not None,
    )


def instance_history(session: Session, instance_id: int) -> list[AuditEntry]:
    events = session.scalars(
        select(AuditEvent).where(AuditEvent.instance_id == instance_id).order_by(AuditEvent.seq)
    )
    return [entry(e) for e in events]
