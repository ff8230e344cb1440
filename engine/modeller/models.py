"""Work in progress that is not live: a pathway file's draft, and the editable form catalogue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from engine.db.base import Base, UTCDateTime


class PathwayDraft(Base):
    """The last saved, undeployed edit of one BPMN file (one per file: drafts are shared)."""

    __tablename__ = "pathway_draft"

    file_name: Mapped[str] = mapped_column(String(300), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class FormSource(Base):
    """A form schema edited in the browser; it overrides ``forms/`` at the next deployment.

    Deployed versions keep the snapshot taken when they were deployed, so an
    edit here never changes a running case.
    """

    __tablename__ = "form_source"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    schema_json: Mapped[str] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScenarioSource(Base):
    """A scenario edited, added or retired in the modeller and deployed with a pathway.

    Overrides the file of the same name in ``workflows/scenarios/``; ``source`` None retires
    that scenario (a structural change made what it proved obsolete, with a reason in the
    audit trail). A release's file edits never silently undo these (the override wins).
    """

    __tablename__ = "scenario_source"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str | None] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ScenarioDraft(Base):
    """An undeployed edit of a scenario (``source`` None: retire it at the next deployment).

    Simulations run the scenarios with the drafts in place; a pathway deployment whose
    scenarios all pass makes the drafts live.
    """

    __tablename__ = "scenario_draft"

    name: Mapped[str] = mapped_column(String(200), primary_key=True)
    source: Mapped[str | None] = mapped_column(Text)
    saved_by: Mapped[str] = mapped_column(String(64))
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime)
