"""Commitments past due, and the anonymised statistics export, for coordinators and admins."""

from __future__ import annotations

from datetime import date

from flask import Response, flash, redirect, render_template, url_for
from flask_babel import gettext

from engine.errors import InvalidRequest
from webapp.admin.blueprint import admin, form_text
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine


@admin.route("/commitments")
@allow(COORDINATOR)
def commitments():
    today = engine().clock.now().date()
    return render_template(
        "admin/commitments.html",
        late=engine().overdue_commitments(actor=actor().username),
        now=engine().clock.now(),
        default_from=date(today.year, 1, 1),
        default_to=today,
    )


def _day(name: str) -> date:
    try:
        return date.fromisoformat(form_text(name))
    except ValueError as err:
        raise InvalidRequest(gettext("not a date: %(text)s", text=repr(form_text(name)))) from err


@admin.route("/statistics/htcds.csv", methods=["POST"])
@allow(COORDINATOR)
def htcds_export():
    """A POST: the export is a disclosure recorded in the audit trail, not a page view."""
    try:
        start, end, min_cell = _day("from"), _day("to"), form_text("min_cell")
        made = engine().export_htcds(
            actor=actor().username,
            start=start,
            end=end,
            min_cell_size=int(min_cell) if min_cell.isdigit() else None,
        )
    except InvalidRequest as err:
        flash(gettext("Nothing exported: %(why)s", why=err.message), "error")
        return redirect(url_for("admin.commitments"))
    if not made.rows:  # a file of headers alone would say nothing: say why instead
        flash(gettext("Nothing to download: %(why)s", why=made.explanation()), "error")
        return redirect(url_for("admin.commitments"))
    name = f"htcds-{start.isoformat()}-{end.isoformat()}.csv"
    response = Response(made.csv_text(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    for key, value in made.summary().items():
        header = "X-Export-" + key.replace("_", "-").title()
        response.headers[header] = ",".join(value) if isinstance(value, list) else str(value)
    return response
