"""Starting a screening, and the case page (need-to-know, every view audited by the engine)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for

from webapp.documents.sheets import rights_sheets
from webapp.security.rules import SIGNED_IN, allow
from webapp.views_support import actor, engine

cases = Blueprint("cases", __name__)
FIRST_CONTACT = "identification"


@cases.route("/cases", methods=["POST"])
@allow(SIGNED_IN)
def start_screening():
    """Any signed-in person may start a first-contact screening: first responders are many."""
    started = engine().start(FIRST_CONTACT, actor=actor().username)
    mine = engine().tasks_for(actor().username, case_ref=started.case_ref)
    flash(f"Case {started.case_ref} opened.", "ok")
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("cases.show", ref=started.case_ref))


@cases.route("/cases/<ref>")
@allow(SIGNED_IN)
def show(ref: str):
    return render_template(
        "case.html",
        case=engine().view_case(ref, actor=actor().username),
        rights_sheets=rights_sheets(),
    )
