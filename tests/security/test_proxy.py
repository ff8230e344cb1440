"""Behind a TLS proxy, the app believes exactly as many forwarding hops as configured."""

from __future__ import annotations

import importlib

import pytest

from engine.crypto.keyring import encode_key


@pytest.fixture
def wsgi_app(monkeypatch, database_url, data_key, tmp_path, engine):
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("PATHWAYS_DATA_KEYS", encode_key(data_key))
    monkeypatch.setenv("PATHWAYS_VAR", str(tmp_path / "var"))

    def load(hops: str):
        monkeypatch.setenv("PATHWAYS_PROXY_HOPS", hops)
        import webapp.wsgi  # noqa: PLC0415

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
