"""The WSGI entry point for gunicorn and other servers: ``gunicorn 'webapp.wsgi:app'``.

Behind a reverse proxy, set ``PATHWAYS_PROXY_HOPS=1`` (the number of proxies in front) so that
the client address and HTTPS come from ``X-Forwarded-For``/``-Proto``; never trust more hops than
there are, or anyone can choose their own address and dodge the sign-in limit.
"""

from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from webapp.app import create_app

app = create_app()
_hops = int(os.environ.get("PATHWAYS_PROXY_HOPS", "0") or 0)
if _hops:
    app.wsgi_app = ProxyFix(app.wsgi_app, x_for=_hops, x_proto=_hops)  # type: ignore[method-assign]
