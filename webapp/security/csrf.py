"""CSRF tokens bound to the browser's session (or, before sign-in, to a random pre-session cookie).

The token is an HMAC of that secret, so it needs no storage, changes with
every new session, and cannot be computed by another site.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from flask import current_app, g, request

PRE_SESSION_COOKIE = "pp_pre"
FIELD = "csrf_token"
HEADER = "X-CSRF-Token"


def _seed() -> str:
    seed = getattr(g, "session_secret", None) or request.cookies.get(PRE_SESSION_COOKIE)
    if not seed:
        seed = g.setdefault("new_pre_session", secrets.token_urlsafe(24))
    return seed


def token() -> str:
    key = current_app.config["SECRET_KEY"].encode()
    return hmac.new(key, b"csrf:" + _seed().encode(), hashlib.sha256).hexdigest()


def valid(candidate: str | None) -> bool:
    return bool(candidate) and hmac.compare_digest(candidate, token())


def submitted_token() -> str | None:
    return request.form.get(FIELD) or request.headers.get(HEADER)
