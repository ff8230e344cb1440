"""Signing in and out. Failed attempts are audited and counted by the engine (lock-out);
attempts refused by the per-account and per-address limits are audited here."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, g, redirect, render_template, request, url_for

from webapp.security.redirects import is_local_path
from webapp.security.rules import PUBLIC, SIGNED_IN, allow
from webapp.security.throttle import Refusal
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
    if request.method != "POST":  # only a POST signs in (HEAD never reaches here as HEAD)
        if g.actor is not None:
            return redirect(_safe_next(next_url))
        return render_template("signin.html", next=next_url)
    address = request.remote_addr or "unknown"
    username = request.form.get("username", "").strip()[:64]
    throttle = current_app.extensions["signin_throttle"]
    attempt = throttle.attempt(username, address)
    if isinstance(attempt, Refusal):
        if attempt.record:
            engine().sign_in_throttled(
                username, limit=attempt.limit, refused=attempt.refused, address=address
            )
        abort(429, description="Too many sign-in attempts. Wait a few minutes.")
    outcome = engine().sign_in(username, request.form.get("password", ""))
    if not outcome.result.ok:
        return render_template(
            "signin.html", error=GENERIC_FAILURE, username=username, next=next_url
        ), 401
    throttle.forgive(attempt)  # only failures use up the limits
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
