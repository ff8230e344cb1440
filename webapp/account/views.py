"""A person's own account: changing the password (required after an administrator's reset)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from engine.errors import InvalidRequest
from webapp.security.rules import SIGNED_IN, allow
from webapp.views_support import actor, engine

account = Blueprint("account", __name__, url_prefix="/account")


@account.route("/password", methods=["GET", "POST"])
@allow(SIGNED_IN)
def password():
    problem = None
    if request.method == "POST":
        new = request.form.get("new", "")
        if new != request.form.get("repeat", ""):
            problem = "The two new passwords are not the same."
        else:
            try:
                engine().change_password(
                    actor=actor().username, current=request.form.get("current", ""), new=new
                )
            except InvalidRequest as err:
                problem = err.message[:1].upper() + err.message[1:] + "."
            else:
                flash("Your password is changed.", "ok")
                return redirect(url_for("inbox.home"))
    return render_template(
        "password.html", problem=problem, required=actor().must_change_password
    ), (422 if problem else 200)
