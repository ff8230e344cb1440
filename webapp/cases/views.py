"""Starting a screening, and the case page (need-to-know, every view audited by the engine)."""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import EngineError
from engine.instances.models import CaseStatus
from webapp.documents.sheets import rights_sheets
from webapp.security.rules import SIGNED_IN, SUPERVISOR, Rule, allow
from webapp.views_support import actor, engine

cases = Blueprint("cases", __name__)
FIRST_CONTACT = "identification"


def may_start_screening(person) -> bool:
    return engine().may_start(FIRST_CONTACT, actor=person.username)


def screening_offered() -> bool:
    """For templates: offer "New screening" only to those who may start one (once a page)."""
    if "screening_offered" not in g:
        g.screening_offered = g.actor is not None and may_start_screening(g.actor)
    return g.screening_offered


SCREENER = Rule("may start a screening (role of its start lane)", check=may_start_screening)


@cases.route("/cases", methods=["POST"])
@allow(SCREENER)
def start_screening():
    """A first-contact screening, for the roles of the identification pathway's start lane."""
    started = engine().start(FIRST_CONTACT, actor=actor().username)
    mine = engine().tasks_for(actor().username, case_ref=started.case_ref)
    flash(f"Case {started.case_ref} opened.", "ok")
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("cases.show", ref=started.case_ref))


@cases.route("/cases/<ref>")
@allow(SIGNED_IN)
def show(ref: str):
    case = engine().view_case(ref, actor=actor().username)
    return render_template(
        "case.html",
        case=case,
        rights_sheets=rights_sheets(),
        may_close=actor().is_supervisor and case.status == CaseStatus.OPEN,
    )


@cases.route("/cases/<ref>/close-as-mistake", methods=["POST"])
@allow(SUPERVISOR)
def close_as_mistake(ref: str):
    """Supervisors and administrators; the engine checks the case and records the reason."""
    try:
        ended = engine().close_case_as_mistake(
            ref, actor=actor().username, reason=request.form.get("reason", "")
        )
    except EngineError as err:
        flash(gettext("Not closed: %(why)s", why=err.message), "error")
    else:
        flash(
            gettext("Case closed as opened by mistake; %(n)d pathway(s) ended.", n=len(ended)),
            "ok",
        )
    return redirect(url_for("cases.show", ref=ref))
