"""The printable rights sheet, and the referral summary (a disclosure the engine audits)."""

from __future__ import annotations

from flask import Blueprint, abort, render_template, request

from engine.errors import InvalidRequest
from webapp.documents.sheets import rights_sheets
from webapp.security.rules import SIGNED_IN, allow
from webapp.views_support import actor, engine

documents = Blueprint("documents", __name__)


@documents.route("/documents/rights-sheet/<lang>")
@allow(SIGNED_IN)
def rights_sheet(lang: str):
    """No case data on it: a paper found on the person must not reveal who they are."""
    sheets = rights_sheets()
    if lang not in sheets:
        abort(404)
    return render_template("documents/rights_sheet.html", sheet=sheets[lang], sheets=sheets)


def _referral_form(ref: str, *, error: str | None = None, status: int = 200):
    return (
        render_template(
            "documents/referral_form.html",
            ref=ref,
            recipients=engine().referral_recipients(),
            error=error,
            values=request.form,
        ),
        status,
    )


@documents.route("/cases/<ref>/referral")
@allow(SIGNED_IN)
def referral_form(ref: str):
    """Only the empty form: nothing about the case is read until the disclosure is made."""
    return _referral_form(ref)


@documents.route("/cases/<ref>/referral", methods=["POST"])
@allow(SIGNED_IN)
def referral_summary(ref: str):
    try:
        made = engine().referral_summary(
            ref,
            actor=actor().username,
            recipient=request.form.get("recipient", ""),
            organisation=request.form.get("organisation", ""),
            reason=request.form.get("reason", ""),
        )
    except InvalidRequest as err:
        return _referral_form(ref, error=f"Nothing was shared: {err.message}", status=422)
    return render_template(
        "documents/referral_summary.html", summary=made, made_at=engine().clock.now()
    )
