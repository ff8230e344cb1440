"""Signing in and out. Failed attempts are audited and counted by the engine (lock-out)."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from webapp.security.redirects import is_local_path
from webapp.security.rules import PUBLIC, SIGNED_IN, allow
from webapp.views_support import engine

auth = Blueprint("auth", __name__)
GENERIC_FAILURE = "That username and password do not match, or the account is locked."


def _safe_next(target: str | None) -> str:
    """Only same-site paths: never an open redirect."""
    return target if is_local_path(target) else url_for("inbox.home")


@auth.route("/signin", methods=["GET", "POST"])
@allow(PUBLIC)
def sign_in():
    next_url = request.args.get("next", "")
    if request.method == "GET":
        if g.actor is not None:
            return redirect(_safe_next(next_url))
        return render_template("signin.html", next=next_url)
    address = request.remote_addr or "unknown"
    if not current_app.extensions["signin_throttle"].allow(address):
        abort(429, description="Too many sign-in attempts from this address. Wait a few minutes.")
    username = request.form.get("username", "").strip()[:64]
    outcome = engine().sign_in(username, request.form.get("password", ""))
    if not outcome.result.ok:
        return render_template(
            "signin.html", error=GENERIC_FAILURE, username=username, next=next_url
        ), 401
    if g.session_secret:  # a fresh session id at every sign-in; the old one is closed
        engine().sign_out(g.session_secret, actor=username)
    g.new_session_secret = outcome.session_secret
    return redirect(_safe_next(next_url))


@auth.route("/signout", methods=["POST"])
@allow(SIGNED_IN)
def sign_out():
    engine().sign_out(g.session_secret or "", actor=g.actor.username)
    g.signed_out = True
    return redirect(url_for("auth.sign_in"))
