"""Security headers on every response: no inline scripts, no framing, no sniffing, no referrers."""

from __future__ import annotations

from flask import Response

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "form-action 'self'; frame-ancestors 'none'"
)

# dmn-js (the decision-table editor) positions its cells and menus with style attributes; only
# that coordinator page, which shows no case data, allows inline styles. Scripts stay 'self'.
INLINE_STYLES_CSP = CSP.replace("style-src 'self'", "style-src 'self' 'unsafe-inline'")


def allow_inline_styles(response: Response) -> Response:
    response.headers["Content-Security-Policy"] = INLINE_STYLES_CSP
    return response


def add(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["X-Frame-Options"] = "DENY"
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["Permissions-Policy"] = "camera=(), microphone=(), geolocation=()"
    response.headers.setdefault("Cache-Control", "no-store")
    return response
