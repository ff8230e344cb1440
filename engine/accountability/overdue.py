"""Oversight: open cases whose commitments are past the time they were expected by."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accountability.commitments import fill, record
from engine.accountability.history import OPEN_STATUSES, case_history
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.services import Services


@dataclass(frozen=True)
class Overdue:
    case_ref: str
    commitment: str
    explanation: str  # with ``%(name)s`` places for ``params`` (see commitments.fill)
    expected_by: datetime
    days_late: int
    params: tuple[tuple[str, object], ...] = ()

    def as_dict(self) -> dict:
        found = asdict(self)
        found["explanation"] = fill(self.explanation, found.pop("params"))
        return found


def overdue_commitments(session: Session, services: Services, now: datetime) -> list[Overdue]:
    """Every unmet commitment of every open case that is late, the longest-late first.

    Judged case by case from the history (answers are decrypted per case), which
    is fine for the thousands of open cases of a national programme; a larger
    one would keep the judgements as a projection updated at each completion.
    """
    open_cases = session.scalars(
        select(ProtectionCase)
        .where(
            ProtectionCase.id.in_(
                select(ProcessInstance.case_id).where(
                    ProcessInstance.status.in_(sorted(OPEN_STATUSES))
                )
            )
        )
        .order_by(ProtectionCase.id)
    ).all()
    late = [
        Overdue(
            history.ref,
            status.title,
            status.explanation,
            status.expected_by,
            (now - status.expected_by).days,
            status.params,
        )
        for history in (case_history(session, services, case) for case in open_cases)
        for status in record(history)
        if status.overdue(now)
    ]
    return sorted(late, key=lambda o: (o.expected_by, o.case_ref))
