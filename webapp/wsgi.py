"""The WSGI entry point for gunicorn and other servers: ``gunicorn 'webapp.wsgi:app'``.

Behind a reverse proxy, set ``PATHWAYS_PROXY_HOPS=1`` (the number of proxies in front) so that
the client address and HTTPS come from ``X-Forwarded-For``/``-Proto``; never trust more hops than
there are, or anyone can choose their own address and dodge the sign-in limit. ``create_app``
applies it, for this entry point and ``pathways serve`` alike (``webapp/security/transport.py``);
under ``waitress-serve`` also pass ``--no-clear-untrusted-proxy-headers``, or waitress deletes the
headers before the app sees them.
"""

from __future__ import annotations

from webapp.app import create_app

app = create_app()
