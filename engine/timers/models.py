from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class TimerStatus(StrEnum):
    WAITING = "waiting"
    SUSPENDED = "suspended"  # its instance is suspended
    INCIDENT = "incident"  # failed too often; waits for an administrator's retry


class SchedulerLock(Base):
    """The one row that makes a single scheduler the active one on SQLite.

    SQLite has no ``SKIP LOCKED``; schedulers there take turns through this
    lease instead (renewed on every sweep, taken over when it expires).
    """

    __tablename__ = "scheduler_lock"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    owner: Mapped[str | None] = mapped_column(String(100))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Timer(Base):
    """A waiting timer event, projected so the scheduler queries an index, never instances."""

    __tablename__ = "timer"
    __table_args__ = (Index("ix_timer_status_due", "status", "due_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)  # SpiffWorkflow task id
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id"))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(300), default="")
    kind: Mapped[str] = mapped_column(String(20))  # duration | date | cycle
    due_at: Mapped[datetime] = mapped_column(UTCDateTime)
    status: Mapped[str] = mapped_column(String(20), default="waiting")
    lock_owner: Mapped[str | None] = mapped_column(String(100))
    lock_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # After a failed firing: not claimable again before this (exponential back-off).
    retry_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
