from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class AuditEvent(Base):
    """One thing that happened. Database triggers refuse UPDATE and DELETE.

    ``hash`` covers every column and the previous row's hash, so any edit made
    after dropping the triggers breaks the chain at that row. ``payload`` holds
    sensitive detail (form answers) encrypted; the chain covers its ciphertext,
    so verification needs no key.
    """

    __tablename__ = "audit_event"
    __table_args__ = (
        Index("ix_audit_event_instance", "instance_id", "seq"),
        Index("ix_audit_event_case", "case_ref", "seq"),
        Index("ix_audit_event_actor", "actor", "seq"),
        Index("ix_audit_event_action", "action", "seq"),
        Index("ix_audit_event_process", "process_key", "seq"),
        Index("ix_audit_event_occurred", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    # Client-given and unique: lets a command's events go out as one multi-row INSERT on SQLite.
    seq: Mapped[int] = mapped_column(BigInteger, unique=True, insert_sentinel=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(64))
    case_ref: Mapped[str | None] = mapped_column(String(32))
    instance_id: Mapped[int | None] = mapped_column(Integer)
    task_id: Mapped[str | None] = mapped_column(String(36))
    process_key: Mapped[str | None] = mapped_column(String(200))
    definition_version: Mapped[int | None] = mapped_column(Integer)
    detail_json: Mapped[str] = mapped_column(Text, default="{}")
    payload: Mapped[bytes | None] = mapped_column(LargeBinary)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditChainHead(Base):
    """The single row that serializes appends and remembers the chain's tip.

    Writers lock it (``SELECT ... FOR UPDATE``) before appending, so concurrent
    transactions can never fork the chain; comparing it with the last event
    also detects rows cut off the end.
    """

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64))
