"""Upcoming timers, for ``pathways timers list`` and the case and admin pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.instances.case_refs import normalise_ref
from engine.instances.models import ProtectionCase
from engine.timers.models import Timer


@dataclass(frozen=True)
class TimerView:
    id: str
    case_ref: str
    instance_id: int
    bpmn_id: str
    name: str
    kind: str
    due_at: datetime
    status: str
    attempts: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "case_ref": self.case_ref,
            "instance_id": self.instance_id,
            "bpmn_id": self.bpmn_id,
            "name": self.name,
            "kind": self.kind,
            "due_at": self.due_at.isoformat(),
            "status": self.status,
            "attempts": self.attempts,
        }


def upcoming(
    session: Session, *, due_before: datetime | None = None, case_ref: str | None = None
) -> list[TimerView]:
    query = select(Timer, ProtectionCase.ref).join(
        ProtectionCase, ProtectionCase.id == Timer.case_id
    )
    if due_before is not None:
        query = query.where(Timer.due_at < due_before)
    if case_ref is not None:
        query = query.where(ProtectionCase.ref == normalise_ref(case_ref))
    return [
        TimerView(
            t.id, ref, t.instance_id, t.bpmn_id, t.name, t.kind, t.due_at, t.status, t.attempts
        )
        for t, ref in session.execute(query.order_by(Timer.due_at, Timer.id))
    ]
