"""What reaches the views, whatever server runs the app: the client's real address and scheme
behind the configured reverse proxies, and a HEAD request answered exactly as its GET.

Both are applied in :func:`webapp.app.create_app`, so ``pathways serve``, ``webapp.wsgi:app``
under gunicorn or waitress, and the tests get the same behaviour.

Proxies: ``PATHWAYS_PROXY_HOPS`` is the number of reverse proxies in front of the app. The app
then believes that many entries of ``X-Forwarded-For`` and ``X-Forwarded-Proto`` (from the right)
and nothing else; 0 (the default) believes none. Never trust more hops than there are, or anyone
can choose their own address and scheme. The server must hand the headers over: ``pathways
serve`` tells waitress to (:data:`WAITRESS_SETTINGS`); under ``waitress-serve`` pass
``--no-clear-untrusted-proxy-headers``; gunicorn passes them as they are.

HEAD: Flask routes a HEAD to the GET view, and a view that branches on ``request.method ==
"GET"`` would run its POST branch for a HEAD, which is exempt from CSRF as a safe method (a HEAD
with a form body signed people in). Views therefore never see HEAD: it is run as a GET without a
body, and what the GET would answer is sent without its body.
"""

from __future__ import annotations

import io
import logging
import os

from werkzeug.middleware.proxy_fix import ProxyFix

log = logging.getLogger("webapp")
PROXY_HOPS_VARIABLE = "PATHWAYS_PROXY_HOPS"
# For waitress: leave X-Forwarded-* to the app, which believes exactly PATHWAYS_PROXY_HOPS of them
# (by default waitress deletes them before the app sees them, and the setting did nothing).
WAITRESS_SETTINGS = {"clear_untrusted_proxy_headers": False}


def proxy_hops_from_environment() -> int:
    text = os.environ.get(PROXY_HOPS_VARIABLE, "").strip() or "0"
    if not text.isdigit():
        raise ValueError(
            f"{PROXY_HOPS_VARIABLE} must be the number of reverse proxies in front (0 or more),"
            f" not {text!r}"
        )
    return int(text)


class HeadAsGet:
    """Run a HEAD as the GET it asks about, and drop the body from the answer."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD", "").upper() != "HEAD":
            return self.app(environ, start_response)
        as_get = dict(environ, REQUEST_METHOD="GET", CONTENT_LENGTH="0")
        as_get["wsgi.input"] = io.BytesIO(b"")
        as_get.pop("CONTENT_TYPE", None)
        as_get.pop("HTTP_TRANSFER_ENCODING", None)
        body = self.app(as_get, start_response)
        close = getattr(body, "close", None)
        if close is not None:
            close()
        return []


class BehindProxy:
    """Werkzeug's ProxyFix for ``hops`` proxies, saying once when the proxy headers never come."""

    def __init__(self, app, hops: int):
        self.hops = hops
        self.fixed = ProxyFix(app, x_for=hops, x_proto=hops)
        self._warned = False

    def __call__(self, environ, start_response):
        if not self._warned and "HTTP_X_FORWARDED_FOR" not in environ:
            self._warned = True
            log.warning(
                "%s=%s but a request came without X-Forwarded-For: is the proxy setting it, and"
                " is the server passing it on (waitress-serve: --no-clear-untrusted-proxy-headers)?"
                " Client addresses and HTTPS are unknown until it does.",
                PROXY_HOPS_VARIABLE,
                self.hops,
            )
        return self.fixed(environ, start_response)


def wrap(wsgi_app, *, proxy_hops: int):
    """The app as every server runs it."""
    wsgi_app = HeadAsGet(wsgi_app)
    if proxy_hops:
        wsgi_app = BehindProxy(wsgi_app, proxy_hops)
    return wsgi_app
