"""Failed timers and steps: the error, the attempts, and a retry with a reason."""

from __future__ import annotations

from flask import redirect, render_template, request, url_for
from flask_babel import gettext

from webapp.admin.blueprint import admin, attempt, form_text
from webapp.security.rules import ADMIN, allow
from webapp.views_support import actor, engine


@admin.route("/incidents")
@allow(ADMIN)
def incidents():
    show_all = request.args.get("all") == "1"
    return render_template(
        "admin/incidents.html",
        incidents=engine().incidents(actor=actor().username, include_resolved=show_all),
        show_all=show_all,
    )


@admin.route("/incidents/<int:incident_id>/retry", methods=["POST"])
@allow(ADMIN)
def retry(incident_id: int):
    attempt(
        lambda: engine().retry_incident(
            incident_id, actor=actor().username, reason=form_text("reason")
        ),
        gettext("Incident %(id)s retried.", id=incident_id),
    )
    return redirect(url_for("admin.incidents"))
