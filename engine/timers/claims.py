"""Leases on due timers, so several schedulers share the work and none fires a timer twice.

On PostgreSQL the claim is ``SELECT ... FOR UPDATE SKIP LOCKED``: concurrent
schedulers skip each other's rows instead of waiting. A lease's expiry comes
from the database clock, which all scheduler machines share; an expired
lease (its scheduler died) makes the row claimable again. On SQLite writers
are serialized anyway, and a single active scheduler is enforced by
:mod:`engine.timers.scheduler`.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from engine.timers.models import Timer, TimerStatus


def database_now(session: Session) -> datetime:
    """The database server's clock (PostgreSQL), or this machine's for an embedded SQLite file."""
    if session.get_bind().dialect.name == "postgresql":
        return session.scalar(select(func.statement_timestamp()))
    return datetime.now(UTC)


def claim_due(
    session: Session, *, now: datetime, owner: str, lease: timedelta, limit: int
) -> list[str]:
    """Lease up to ``limit`` due timers, oldest first; returns their ids."""
    db_now = database_now(session)
    rows = session.scalars(
        select(Timer)
        .where(
            Timer.status == TimerStatus.WAITING,
            Timer.due_at <= now,
            or_(Timer.retry_at.is_(None), Timer.retry_at <= now),
            or_(Timer.lock_expires_at.is_(None), Timer.lock_expires_at < db_now),
        )
        .order_by(Timer.due_at, Timer.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    ).all()
    for row in rows:
        row.lock_owner, row.lock_expires_at = owner, db_now + lease
    return [row.id for row in rows]


def _aware(value: datetime | str | None) -> datetime | None:
    if isinstance(value, str):  # SQLite may return aggregates as text
        value = datetime.fromisoformat(value)
    if value is not None and value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value


def next_claimable_at(session: Session) -> datetime | None:
    """When a sweep could next claim something: a due time, a back-off end or a lease expiry."""
    db_now = database_now(session)
    free = or_(Timer.lock_expires_at.is_(None), Timer.lock_expires_at < db_now)
    unleased = session.scalar(
        select(func.min(func.coalesce(Timer.retry_at, Timer.due_at))).where(
            Timer.status == TimerStatus.WAITING, free
        )
    )
    leased = session.scalar(
        select(func.min(Timer.lock_expires_at)).where(Timer.status == TimerStatus.WAITING, ~free)
    )
    candidates = [t for t in (_aware(unleased), _aware(leased)) if t is not None]
    return min(candidates) if candidates else None
