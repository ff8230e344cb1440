from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class CaseMember(Base):
    """An explicit grant of access to a case (its team), beyond the people who work its tasks."""

    __tablename__ = "case_member"

    case_id: Mapped[int] = mapped_column(ForeignKey("protection_case.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(64), primary_key=True)
    added_by: Mapped[str] = mapped_column(String(64))
    added_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(Text, default="")
