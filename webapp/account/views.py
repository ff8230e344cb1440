"""A person's own account: changing the password (required after an administrator's reset).

A changed password ends every session and API token of the person; the browser that changed it
carries on in a new session, so the person stays signed in here and nowhere else.
"""

from __future__ import annotations

from flask import Blueprint, flash, g, redirect, render_template, request, url_for

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
                secret = engine().change_own_password(
                    actor=actor().username, current=request.form.get("current", ""), new=new
                )
            except InvalidRequest as err:
                problem = err.message[:1].upper() + err.message[1:] + "."
            else:
                g.new_session_secret = secret  # the old session ended with the old password
                flash("Your password is changed.", "ok")
                return redirect(url_for("inbox.home"))
    return render_template(
        "password.html", problem=problem, required=actor().must_change_password
    ), (422 if problem else 200)
