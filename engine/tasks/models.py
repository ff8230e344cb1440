from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class TaskStatus(StrEnum):
    """A user task's row: open, done, or ended without being done (the path went elsewhere,
    the instance was terminated)."""

    READY = "READY"
    COMPLETED = "COMPLETED"
    CANCELLED = "CANCELLED"


class HumanTask(Base):
    """Projection of a SpiffWorkflow user task, written in the same transaction as the state.

    ``id`` is SpiffWorkflow's task id, stable across save and restore.
    """

    __tablename__ = "human_task"
    __table_args__ = (
        Index("ix_human_task_state_role_due", "state", "role", "due_at"),
        Index("ix_human_task_assignee_state", "assignee", "state"),
        Index("ix_human_task_instance_state", "instance_id", "state"),
        Index("ix_human_task_case", "case_id"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    instance_id: Mapped[int] = mapped_column(ForeignKey("process_instance.id"))
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id"))
    bpmn_id: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(300))
    process_key: Mapped[str] = mapped_column(String(200))
    role: Mapped[str | None] = mapped_column(String(80))
    form: Mapped[str | None] = mapped_column(String(300))
    state: Mapped[str] = mapped_column(String(20))  # READY | COMPLETED | CANCELLED
    assignee: Mapped[str | None] = mapped_column(String(64))
    claimed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    completed_by: Mapped[str | None] = mapped_column(String(64))


class TaskDraft(Base):
    """Unfinished answers of one person to one task, encrypted; removed when the task completes."""

    __tablename__ = "task_draft"

    task_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
