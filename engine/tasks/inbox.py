"""The inbox: tabs, filters, counts and keyset pagination that stay fast with 100,000 open tasks.

Every query starts from the ``(state, role, due_at)`` or ``(assignee, state)``
index and pages by the sort key itself (due date, then id), never by OFFSET,
so page 400 costs what page 1 costs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from engine.clock import parse_instant
from engine.errors import InvalidRequest
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.tasks.models import HumanTask, TaskStatus
from engine.users.actors import Actor

TABS = ("assigned", "roles", "overdue")
PAGE_SIZE = 25
TASK_ID_LENGTH = 36
COUNT_CAP = 1000
NO_DUE_DATE = "-"


@dataclass(frozen=True)
class InboxFilters:
    process_key: str | None = None
    role: str | None = None
    case_ref: str | None = None


@dataclass(frozen=True)
class InboxRow:
    id: str
    title: str
    case_ref: str
    pathway: str
    role: str | None
    assignee: str | None
    due_at: datetime | None
    created_at: datetime


@dataclass
class InboxPage:
    tab: str
    rows: list[InboxRow]
    counts: dict[str, int]
    next_cursor: str | None
    filters: InboxFilters = field(default_factory=InboxFilters)


def _tab_conditions(tab: str, actor: Actor, now: datetime) -> list:
    """Each tab as one or more conditions that an index can serve on its own.

    "Overdue" is (assigned to me) OR (unclaimed in my roles); an OR would make the database
    read every open task, so each half is queried by its own index and the halves merged.
    """
    assigned = HumanTask.assignee == actor.username
    in_my_roles = and_(HumanTask.assignee.is_(None), HumanTask.role.in_(sorted(actor.roles)))
    if tab == "assigned":
        return [assigned]
    if tab == "roles":
        return [in_my_roles]
    late = and_(HumanTask.due_at.is_not(None), HumanTask.due_at < now)
    return [and_(assigned, late), and_(in_my_roles, late)]


def _filters(query, filters: InboxFilters):
    if filters.process_key:
        query = query.where(ProcessInstance.process_key == filters.process_key)
    if filters.role:
        query = query.where(HumanTask.role == filters.role)
    if filters.case_ref:
        query = query.where(ProtectionCase.ref == filters.case_ref.strip().upper())
    return query


def _base(condition, filters: InboxFilters):
    query = (
        select(HumanTask, ProtectionCase.ref, ProcessInstance.process_key)
        .join(ProtectionCase, ProtectionCase.id == HumanTask.case_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state == TaskStatus.READY, condition)
    )
    return _filters(query, filters)


def encode_cursor(row: InboxRow) -> str:
    return f"{row.due_at.isoformat() if row.due_at else NO_DUE_DATE}|{row.id}"


@dataclass(frozen=True)
class Cursor:
    """Where a page starts: after task ``after_id`` due at ``due_at`` (``None``: among undated)."""

    due_at: datetime | None
    after_id: str


BAD_CURSOR = "This page link is not valid (it may be out of date): start again from the first page."


def decode_cursor(cursor: str | None) -> Cursor | None:
    """A cursor as :func:`encode_cursor` wrote it; anything else is refused with a plain message."""
    if not cursor:
        return None
    due_text, bar, after_id = cursor.partition("|")
    if not bar or not after_id or len(after_id) > TASK_ID_LENGTH:
        raise InvalidRequest(BAD_CURSOR)
    if due_text == NO_DUE_DATE:
        return Cursor(None, after_id)
    try:
        return Cursor(parse_instant(due_text), after_id)
    except (ValueError, OverflowError) as err:  # overflow: year 1 or 9999 pushed out by a zone
        raise InvalidRequest(BAD_CURSOR) from err


def counts(session: Session, actor: Actor, now: datetime, filters: InboxFilters) -> dict[str, int]:
    """Per tab, counted up to ``COUNT_CAP + 1`` so the cost stops growing with the caseload:
    past the cap the page says "1000+", which is all a caseworker can act on anyway."""
    result = {}
    for tab in TABS:
        total = 0
        for condition in _tab_conditions(tab, actor, now):
            if filters.process_key or filters.case_ref:
                matching = _base(condition, filters).with_only_columns(HumanTask.id)
            else:  # no join needed: the task row alone answers
                matching = select(HumanTask.id).where(
                    HumanTask.state == TaskStatus.READY, condition
                )
                if filters.role:
                    matching = matching.where(HumanTask.role == filters.role)
            capped = matching.order_by(None).limit(COUNT_CAP + 1).subquery()
            total += session.scalar(select(func.count()).select_from(capped)) or 0
        result[tab] = min(total, COUNT_CAP + 1)
    return result


def inbox_page(
    session: Session,
    actor: Actor,
    now: datetime,
    *,
    tab: str = "roles",
    filters: InboxFilters | None = None,
    cursor: str | None = None,
    names: dict[str, str] | None = None,
    page_size: int = PAGE_SIZE,
) -> InboxPage:
    tab = tab if tab in TABS else "roles"
    filters = filters or InboxFilters()
    start = decode_cursor(cursor)
    found: list = []
    for condition in _tab_conditions(tab, actor, now):
        found += _page_rows(session, _base(condition, filters), start, page_size)
    # Merge the parts in the page's order: dated (soonest first), then undated, ties by id.
    found.sort(key=lambda r: (r[0].due_at is None, r[0].due_at or now, r[0].id))
    names = names or {}
    rows = [
        InboxRow(
            t.id, t.title, ref, names.get(key, key), t.role, t.assignee, t.due_at, t.created_at
        )
        for t, ref, key in found[:page_size]
    ]
    next_cursor = encode_cursor(rows[-1]) if len(found) > page_size else None
    return InboxPage(tab, rows, counts(session, actor, now, filters), next_cursor, filters)


def _page_rows(session: Session, base, start: Cursor | None, page_size: int) -> list:
    """Up to ``page_size + 1`` rows after the cursor: dated ones first, then undated."""
    found = []
    if start is None or start.due_at is not None:  # dated tasks first, soonest due first
        dated = base.where(HumanTask.due_at.is_not(None))
        if start is not None:
            due, after_id = start.due_at, start.after_id
            dated = dated.where(
                or_(HumanTask.due_at > due, and_(HumanTask.due_at == due, HumanTask.id > after_id))
            )
        dated = dated.order_by(HumanTask.due_at, HumanTask.id).limit(page_size + 1)
        found = session.execute(dated).all()
    if len(found) <= page_size:  # then the undated ones, by id
        undated = base.where(HumanTask.due_at.is_(None))
        if start is not None and start.due_at is None:
            undated = undated.where(HumanTask.id > start.after_id)
        undated = undated.order_by(HumanTask.id).limit(page_size + 1 - len(found))
        found += session.execute(undated).all()
    return found


def describe(row: InboxRow) -> dict[str, Any]:
    return {
        "id": row.id,
        "title": row.title,
        "case_ref": row.case_ref,
        "pathway": row.pathway,
        "role": row.role,
        "assignee": row.assignee,
        "due_at": row.due_at.isoformat() if row.due_at else None,
    }
