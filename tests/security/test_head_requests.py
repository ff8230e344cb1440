"""A HEAD asks what a GET would answer: it never signs anyone in and never changes anything,
whatever body it carries (it is a safe method, so no CSRF token is asked of it)."""

from __future__ import annotations

import json

import sqlalchemy as sa

from tests.support.web import PASSWORD, csrf_from


def _events(engine) -> list[str]:
    with engine.db.sa_engine.connect() as c:
        return list(c.execute(sa.text("SELECT action FROM audit_event ORDER BY seq")).scalars())


def test_a_head_with_credentials_never_signs_in(app, web_engine):
    client = app.test_client()
    token = csrf_from(client.get("/signin").text)
    before = _events(web_engine)
    for data in (
        {"username": "caseworker", "password": PASSWORD},
        {"username": "caseworker", "password": PASSWORD, "csrf_token": token},
    ):
        response = client.head("/signin", data=data)
        assert response.status_code == 200  # what GET /signin answers: the form
        assert response.data == b""
        assert client.get_cookie("pp_session") is None
        assert client.get("/").status_code == 302  # still signed out
    assert _events(web_engine) == before  # no sign-in, not even a failed one, was attempted


def test_a_head_answers_like_its_get_without_the_body(signed_in):
    client = signed_in("caseworker")
    got, head = client.get("/"), client.head("/")
    assert head.status_code == got.status_code == 200
    assert head.data == b"" and head.headers["Content-Type"] == got.headers["Content-Type"]
    assert client.head("/signin").status_code == 302  # signed in: GET /signin redirects too


def test_a_head_never_saves_a_form_in_the_modeller(signed_in, web_engine):
    client = signed_in("coordinator")
    original = web_engine.form_text("screening.json", actor="coordinator")
    hostile = json.dumps({"type": "object", "title": "Replaced", "properties": {}})
    response = client.head(
        "/modeller/forms/screening.json", data={"_action": "save", "schema": hostile}
    )
    assert response.status_code == 200
    assert web_engine.form_text("screening.json", actor="coordinator") == original
    assert "form:saved" not in _events(web_engine)
