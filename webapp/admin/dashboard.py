"""Counts and bar charts for coordinators and administrators (server-rendered SVG, no library)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import render_template

from webapp.admin.blueprint import admin
from webapp.formatting import role_label
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


@admin.route("/")
@allow(COORDINATOR)
def dashboard():
    board = engine().dashboard(actor=actor().username)
    by_pathway: dict[str, list[tuple[str, int]]] = {}
    for pathway, stage, count in board.stages:
        by_pathway.setdefault(pathway, []).append((stage, count))
    return render_template(
        "admin/dashboard.html",
        board=board,
        stage_charts=[(pathway, bars(rows)) for pathway, rows in by_pathway.items()],
        overdue_chart=bars([(role_label(role), n) for role, n in board.overdue_by_role]),
        now=engine().clock.now(),
    )
