"""Who is asking (session cookie or API bearer token), then the route's rule and CSRF."""

from __future__ import annotations

from flask import abort, current_app, g, redirect, request, url_for

from webapp.security import csrf
from webapp.security.rules import rule_of

SESSION_COOKIE = "pp_session"
# No HEAD: create_app runs a HEAD as its GET (webapp/security/transport.py), so none arrives here;
# were that layer ever missing, a HEAD would need a CSRF token like a POST (fail closed).
SAFE_METHODS = frozenset({"GET", "OPTIONS"})
# While a temporary password is in force, only these endpoints answer.
PASSWORD_CHANGE_ENDPOINTS = frozenset({"account.password", "auth.sign_out", "i18n.switch"})


def _engine():
    return current_app.extensions["pathways"]


def load_actor() -> None:
    g.actor, g.session_secret, g.via_token = None, None, False
    if request.endpoint == "static":
        return  # stylesheets and scripts are public: no session is looked up for them
    bearer = request.headers.get("Authorization", "")
    if bearer.startswith("Bearer "):
        g.actor = _engine().token_actor(bearer.removeprefix("Bearer ").strip())
        g.via_token = g.actor is not None
        return
    secret = request.cookies.get(SESSION_COOKIE)
    if secret:
        check = _engine().session_actor(secret)
        if check.actor is not None:
            g.actor, g.session_secret = check.actor, secret
        else:
            g.clear_session_cookie = True


def _is_api() -> bool:
    return request.path.startswith("/api/")


def enforce_rule():
    if request.endpoint is None:
        return None  # 404 follows
    rule = rule_of(current_app.view_functions.get(request.endpoint))
    if request.endpoint == "static":
        return None
    if rule is None:
        abort(403)  # a route without a declared rule is refused, never open
    if not rule.allows(g.actor):
        if g.actor is None and not _is_api():
            return redirect(url_for("auth.sign_in", next=request.full_path.rstrip("?")))
        abort(401 if g.actor is None else 403)
    if (
        request.method not in SAFE_METHODS
        and not g.via_token
        and not csrf.valid(csrf.submitted_token())
    ):
        abort(
            400,
            description="This form expired or did not come from this site. Go back and try again.",
        )
    return _require_own_password()


def _require_own_password():
    """After an administrator's reset, the temporary password opens only the change form."""
    actor = g.actor
    if actor is None or g.via_token or not actor.must_change_password:
        return None
    if request.endpoint in PASSWORD_CHANGE_ENDPOINTS:
        return None
    if _is_api():
        abort(403, description="Change your temporary password first.")
    return redirect(url_for("account.password"))


def secure_cookies() -> bool:
    configured = current_app.config.get("SECURE_COOKIES")
    return request.is_secure if configured is None else bool(configured)


def set_cookies(response):
    secure = secure_cookies()
    new_secret = g.get("new_session_secret")
    if new_secret:
        response.set_cookie(
            SESSION_COOKIE, new_secret, httponly=True, samesite="Lax", secure=secure, path="/"
        )
    elif g.get("clear_session_cookie") or g.get("signed_out"):
        response.delete_cookie(
            SESSION_COOKIE, path="/", httponly=True, samesite="Lax", secure=secure
        )
    pre = g.get("new_pre_session")
    if pre:
        response.set_cookie(
            csrf.PRE_SESSION_COOKIE, pre, httponly=True, samesite="Lax", secure=secure, path="/"
        )
    return response
