from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class ProcessDefinition(Base):
    """One version of one process (or DMN decision), never changed after insert.

    ``source`` is the whole file the process came from, so a version can be
    parsed again exactly as deployed; ``forms`` snapshots every form schema its
    user tasks use, so editing ``forms/`` later never changes a running case.
    """

    __tablename__ = "process_definition"
    __table_args__ = (
        UniqueConstraint("process_key", "version"),
        Index("ix_process_definition_key_version", "process_key", "version"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    process_key: Mapped[str] = mapped_column(String(200))
    version: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(10))  # "bpmn" | "dmn"
    name: Mapped[str] = mapped_column(String(300), default="")
    file_name: Mapped[str] = mapped_column(String(300))
    content_hash: Mapped[str] = mapped_column(String(64))
    source: Mapped[str] = mapped_column(Text)
    forms_json: Mapped[str] = mapped_column(Text, default="{}")
    called_keys_json: Mapped[str] = mapped_column(Text, default="[]")
    deployed_by: Mapped[str] = mapped_column(String(64))
    deployed_at: Mapped[datetime] = mapped_column(UTCDateTime)
    change_note: Mapped[str] = mapped_column(Text, default="")
    # Lineage: "file" (a shipped or hand-written file, deployed from disk) or "modeller" (an
    # edit made in the browser), and for an edit the version it was edited from. A file deploy
    # never silently replaces an edit (engine/definitions/lineage.py).
    origin: Mapped[str] = mapped_column(String(20), default="file", server_default="file")
    edited_from: Mapped[int | None] = mapped_column(Integer)
