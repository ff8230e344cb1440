from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class CaseStatus(StrEnum):
    OPEN = "open"
    OPENED_BY_MISTAKE = "opened_by_mistake"  # closed with a reason: nothing was recorded on it


class InstanceStatus(StrEnum):
    RUNNING = "running"
    COMPLETED = "completed"
    SUSPENDED = "suspended"
    TERMINATED = "terminated"


class ProtectionCase(Base):
    """A person being protected, known to the system only by a pseudonymous reference.

    Names and other identifying details live in encrypted workflow data, never here.
    """

    __tablename__ = "protection_case"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    ref: Mapped[str] = mapped_column(String(32), unique=True)
    status: Mapped[str] = mapped_column(String(20), default=CaseStatus.OPEN)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseFactsRow(Base):
    """What the pathways of one case have established (is a child, reflection ends, asylum
    pending...), shared across its instances so one pathway's guard can see another's facts.

    Encrypted like workflow state; versioned so concurrent writers cannot lose updates.
    """

    __tablename__ = "case_facts"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("protection_case.id"), primary_key=True, autoincrement=False
    )
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CaseRefCounter(Base):
    """Per-year sequence behind ``PP-2026-000042``; incremented inside the creating transaction."""

    __tablename__ = "case_ref_counter"

    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_number: Mapped[int] = mapped_column(Integer, default=0)


class ProcessInstance(Base):
    __tablename__ = "process_instance"
    __table_args__ = (Index("ix_process_instance_case_status", "case_id", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id"))
    definition_id: Mapped[int] = mapped_column(ForeignKey("process_definition.id"))
    process_key: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20))
    # {"processes": {key: definition id}, "decisions": {...}}: the exact versions this
    # instance runs, fixed at start, so later deployments never change it.
    pinned_json: Mapped[str] = mapped_column(Text, default="{}")
    # Optimistic lock: every write is "UPDATE ... WHERE version = <what I read>".
    version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": version}
    started_by: Mapped[str] = mapped_column(String(64))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class InstanceState(Base):
    """The serialized SpiffWorkflow state of one instance, encrypted (AES-GCM).

    Kept apart from ``process_instance`` so listing instances never reads blobs.
    """

    __tablename__ = "instance_state"

    instance_id: Mapped[int] = mapped_column(
        ForeignKey("process_instance.id"), primary_key=True, autoincrement=False
    )
    serializer_version: Mapped[str] = mapped_column(String(20))
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
