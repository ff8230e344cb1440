"""Behind a TLS proxy, the app believes exactly as many forwarding hops as configured."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest

from engine.audit.search import AuditFilters
from engine.crypto.keyring import encode_key
from tests.support.load import free_port
from tests.support.reverse_proxy import Answer, Browser, reverse_proxy, server_process
from tests.support.web import PASSWORD, csrf_from

CLI = [sys.executable, "-m", "webapp.cli"]


@pytest.fixture
def wsgi_app(monkeypatch, database_url, data_key, tmp_path, engine):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PATHWAYS_DATA_KEYS", encode_key(data_key))
    monkeypatch.setenv("PATHWAYS_VAR", str(tmp_path / "var"))

    def load(hops: str):
        monkeypatch.setenv("PATHWAYS_PROXY_HOPS", hops)
        import webapp.wsgi

        return importlib.reload(webapp.wsgi).app

    return load


def _cookie_is_secure(app) -> bool:
    response = app.test_client().get("/signin", headers={"X-Forwarded-Proto": "https"})
    cookies = response.headers.getlist("Set-Cookie")
    assert cookies
    return all("Secure" in c for c in cookies)


def test_forwarded_https_is_believed_only_behind_a_configured_proxy(wsgi_app):
    assert not _cookie_is_secure(wsgi_app("0"))  # anyone can send the header: ignored
    assert _cookie_is_secure(wsgi_app("1"))


# -- the real thing: a server process behind a real reverse proxy -----------------------------

SERVERS = {
    "pathways serve": lambda port: [
        *CLI,
        "serve",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--no-scheduler",
    ],
    # docs/deploy.md: waitress-serve must be told to hand the proxy headers to the app
    "waitress-serve": lambda port: [
        str(Path(sys.executable).with_name("waitress-serve")),
        "--no-clear-untrusted-proxy-headers",
        f"--listen=127.0.0.1:{port}",
        "webapp.wsgi:app",
    ],
}
CLIENT, COLLEAGUE, ELSEWHERE = "127.0.0.5", "127.0.0.6", "127.0.0.9"


def _sign_in(browser: Browser, username: str, password: str, **headers) -> Answer:
    page = browser.request("GET", "/signin")
    assert page.status == 200, page.body
    form = {"username": username, "password": password, "csrf_token": csrf_from(page.body)}
    return browser.request("POST", "/signin", form, headers=headers)


def _throttled_from(engine) -> list[str]:
    entries, _ = engine.audit_search(AuditFilters(action="user:login:throttled"), actor="admin")
    return [engine.event_data(e.seq, actor="admin")[1]["address"] for e in entries]


@pytest.mark.parametrize("server", SERVERS)
def test_behind_a_real_proxy_the_app_knows_the_client_and_https(server, engine, cli_env):
    for role in ("admin", "caseworker", "supervisor"):
        engine.add_user(role, roles=[role], password=PASSWORD)
    port = free_port()
    env = dict(cli_env, PATHWAYS_PROXY_HOPS="1")
    with server_process(SERVERS[server](port), env), reverse_proxy(port) as proxy_port:
        mine = Browser(proxy_port, CLIENT)
        page = mine.request("GET", "/signin")
        assert page.cookies() == {"pp_pre": True}  # HTTPS at the proxy: a Secure cookie

        # One person fails 20 times: their account from their address is refused...
        statuses = [_sign_in(mine, "supervisor", "guess guess guess").status for _ in range(20)]
        assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
        spoofed = _sign_in(
            mine, "supervisor", "guess guess guess", **{"X-Forwarded-For": ELSEWHERE}
        )
        assert spoofed.status == 429  # the app believes one hop only: the proxy's
        # ...but the next person behind the same proxy signs in, into a Secure session,
        colleague = Browser(proxy_port, CLIENT)
        signed = _sign_in(colleague, "caseworker", PASSWORD)
        assert signed.status == 302, signed.body
        assert signed.cookies()["pp_session"] is True
        assert colleague.request("GET", "/").status == 200
        # and the same account from another client address is not refused for their mistakes.
        assert _sign_in(Browser(proxy_port, COLLEAGUE), "supervisor", "guess").status == 401

    assert set(_throttled_from(engine)) == {CLIENT}  # the client's address, not the proxy's
