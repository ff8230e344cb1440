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
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.tasks.models import HumanTask
from engine.tasks.projection import READY
from engine.users.actors import Actor

TABS = ("assigned", "roles", "overdue")
PAGE_SIZE = 25
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


def _mine(actor: Actor):
    return or_(
        HumanTask.assignee == actor.username,
        and_(HumanTask.assignee.is_(None), HumanTask.role.in_(sorted(actor.roles))),
    )


def _tab_condition(tab: str, actor: Actor, now: datetime):
    if tab == "assigned":
        return HumanTask.assignee == actor.username
    if tab == "roles":
        return and_(HumanTask.assignee.is_(None), HumanTask.role.in_(sorted(actor.roles)))
    return and_(_mine(actor), HumanTask.due_at.is_not(None), HumanTask.due_at < now)


def _filters(query, filters: InboxFilters):
    if filters.process_key:
        query = query.where(ProcessInstance.process_key == filters.process_key)
    if filters.role:
        query = query.where(HumanTask.role == filters.role)
    if filters.case_ref:
        query = query.where(ProtectionCase.ref == filters.case_ref.strip().upper())
    return query


def _base(actor: Actor, tab: str, now: datetime, filters: InboxFilters):
    query = (
        select(HumanTask, ProtectionCase.ref, ProcessInstance.process_key)
        .join(ProtectionCase, ProtectionCase.id == HumanTask.case_id)
        .join(ProcessInstance, ProcessInstance.id == HumanTask.instance_id)
        .where(HumanTask.state == READY, _tab_condition(tab, actor, now))
    )
    return _filters(query, filters)


def encode_cursor(row: InboxRow) -> str:
    return f"{row.due_at.isoformat() if row.due_at else NO_DUE_DATE}|{row.id}"


def counts(session: Session, actor: Actor, now: datetime, filters: InboxFilters) -> dict[str, int]:
    result = {}
    for tab in TABS:
        query = _base(actor, tab, now, filters).with_only_columns(func.count(HumanTask.id))
        result[tab] = session.scalar(query.order_by(None)) or 0
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
    base = _base(actor, tab, now, filters)
    due_text, _, after_id = (cursor or "").partition("|")
    found = []
    if due_text != NO_DUE_DATE:  # dated tasks first, soonest due first
        dated = base.where(HumanTask.due_at.is_not(None))
        if after_id:
            due = parse_instant(due_text)
            dated = dated.where(
                or_(HumanTask.due_at > due, and_(HumanTask.due_at == due, HumanTask.id > after_id))
            )
        dated = dated.order_by(HumanTask.due_at, HumanTask.id).limit(page_size + 1)
        found = session.execute(dated).all()
    if len(found) <= page_size:  # then the undated ones, by id
        undated = base.where(HumanTask.due_at.is_(None))
        if due_text == NO_DUE_DATE and after_id:
            undated = undated.where(HumanTask.id > after_id)
        undated = undated.order_by(HumanTask.id).limit(page_size + 1 - len(found))
        found += session.execute(undated).all()
    names = names or {}
    rows = [
        InboxRow(
            t.id, t.title, ref, names.get(key, key), t.role, t.assignee, t.due_at, t.created_at
        )
        for t, ref, key in found[:page_size]
    ]
    next_cursor = encode_cursor(rows[-1]) if len(found) > page_size else None
    return InboxPage(tab, rows, counts(session, actor, now, filters), next_cursor, filters)


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
