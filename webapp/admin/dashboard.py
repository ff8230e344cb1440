"""Counts and bar charts for coordinators and administrators (server-rendered SVG, no library)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template
from flask_babel import gettext

from engine.cases.dashboard import WAITING_STAGE
from webapp.admin.blueprint import admin
from webapp.formatting import role_label
from webapp.i18n import translated
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    width: float  # percent of the longest bar


def bars(rows: list[tuple[str, int]]) -> list[Bar]:
    longest = max((count for _, count in rows), default=0)
    return [Bar(label, count, 100.0 * count / longest if longest else 0.0) for label, count in rows]


def _stage(stage: str) -> str:
    """A stage is a task's title, or the engine's word for an instance with no open task."""
    return gettext("Waiting (timer or another pathway)") if stage == WAITING_STAGE else stage


@admin.route("/")
@allow(COORDINATOR)
def dashboard():
    board = engine().dashboard(actor=actor().username)
    by_pathway: dict[str, list[tuple[str, int]]] = {}
    for pathway, stage, count in board.stages:
        by_pathway.setdefault(pathway, []).append((_stage(stage), count))
    return render_template(
        "admin/dashboard.html",
        board=board,
        stage_charts=[(pathway, bars(rows)) for pathway, rows in by_pathway.items()],
        overdue_chart=bars(
            [(translated(role_label(role)), n) for role, n in board.overdue_by_role]
        ),
        now=engine().clock.now(),
    )
