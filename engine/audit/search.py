"""Searching the trail for oversight: by actor, case, action, pathway and time; newest first.

Pages go by sequence number (``seq < cursor``), so page 10,000 of millions of
events costs what page 1 costs. The CSV export neutralises spreadsheet
formulas: a cell starting with ``= + - @`` (or a tab or carriage return) is
prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.audit.models import AuditEvent
from engine.audit.queries import AuditEntry, entry

PAGE_SIZE = 50
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_COLUMNS = [
    "seq",
    "occurred_at",
    "actor",
    "action",
    "case_ref",
    "instance_id",
    "task_id",
    "process_key",
    "definition_version",
    "detail",
]


@dataclass(frozen=True)
class AuditFilters:
    actor: str | None = None
    case_ref: str | None = None
    action: str | None = None
    process_key: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _query(filters: AuditFilters):
    query = select(AuditEvent)
    if filters.actor:
        query = query.where(AuditEvent.actor == filters.actor)
    if filters.case_ref:
        query = query.where(AuditEvent.case_ref == filters.case_ref.strip().upper())
    if filters.action:
        query = query.where(AuditEvent.action == filters.action)
    if filters.process_key:
        query = query.where(AuditEvent.process_key == filters.process_key)
    if filters.since:
        query = query.where(AuditEvent.occurred_at >= filters.since)
    if filters.until:
        query = query.where(AuditEvent.occurred_at < filters.until)
    return query


def search(
    session: Session,
    filters: AuditFilters,
    *,
    before_seq: int | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[AuditEntry], int | None]:
    """A page of events (newest first) and the cursor for the next page."""
    query = _query(filters)
    if before_seq is not None:
        query = query.where(AuditEvent.seq < before_seq)
    rows = session.scalars(query.order_by(AuditEvent.seq.desc()).limit(limit + 1)).all()
    entries = [entry(e) for e in rows[:limit]]
    return entries, (entries[-1].seq if len(rows) > limit else None)


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_lines(session: Session, filters: AuditFilters, batch: int = 1000) -> Iterator[str]:
    """The matching events as CSV text, streamed in batches, oldest first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    after = 0
    while True:
        rows = session.scalars(
            _query(filters).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        for e in rows:
            writer.writerow(
                safe_cell(v)
                for v in (
                    e.seq,
                    e.occurred_at.isoformat(),
                    e.actor,
                    e.action,
                    e.case_ref,
                    e.instance_id,
                    e.task_id,
                    e.process_key,
                    e.definition_version,
                    e.detail_json,
                )
            )
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        if len(rows) < batch:
            return
        after = rows[-1].seq
