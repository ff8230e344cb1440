"""Signing in: argon2 passwords, lock-out, sign-in limits, fresh sessions, expiry, cookies."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.support.web import PASSWORD, csrf_from, sign_in
from webapp.security.throttle import SignInThrottle


def _login_events(engine):
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT actor, action FROM audit_event WHERE action LIKE 'user:log%' ORDER BY seq"
            )
        ).all()


def test_sign_in_and_out(client, web_engine):
    assert client.get("/").status_code == 302
    response = sign_in(client, "caseworker")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert client.get("/").status_code == 200
    signed_out = client.post("/signout", data={"csrf_token": csrf_from(client.get("/").text)})
    assert signed_out.status_code == 302
    assert client.get("/").status_code == 302
    assert _login_events(web_engine) == [
        ("caseworker", "user:login:ok"),
        ("caseworker", "user:logout"),
    ]


def test_a_wrong_password_is_refused_plainly_and_audited(client, web_engine):
    response = sign_in(client, "caseworker", "not the password")
    assert response.status_code == 401
    assert "do not match, or the account is locked" in response.text
    assert _login_events(web_engine) == [("caseworker", "user:login:failed")]


def test_repeated_failures_lock_the_account(client, web_engine):
    for _ in range(5):
        sign_in(client, "supervisor", "guess guess guess")
    assert sign_in(client, "supervisor").status_code == 401  # right password, but locked


def test_one_address_cannot_try_for_ever(app, client, web_engine, clock):
    # the per-address cap (100 failures in 5 minutes by default), lowered to keep the test short
    app.extensions["signin_throttle"] = SignInThrottle(clock.now, per_address=20)
    for attempt in range(20):
        sign_in(client, f"nobody{attempt}", "whatever it is")
    assert sign_in(client, "caseworker").status_code == 429
    clock.advance(minutes=6)
    assert sign_in(client, "caseworker").status_code == 302


def test_a_new_session_id_at_every_sign_in(app):
    client = app.test_client()
    sign_in(client, "caseworker")
    first = client.get_cookie("pp_session").value
    sign_in(client, "caseworker")
    second = client.get_cookie("pp_session").value
    assert first != second
    stale = app.test_client()
    stale.set_cookie("pp_session", first)
    assert stale.get("/").status_code == 302  # the replaced session no longer works


def test_sessions_expire_after_inactivity(client, clock):
    sign_in(client, "caseworker")
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200
    clock.advance(minutes=29)
    assert client.get("/").status_code == 200  # activity keeps it alive
    clock.advance(timedelta(minutes=31))
    assert client.get("/").status_code == 302


def test_session_cookie_flags(app):
    client = app.test_client()
    response = sign_in(client, "caseworker")
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie
    https = app.test_client()
    page = https.get("/signin", base_url="https://localhost")
    secure = https.post(
        "/signin",
        base_url="https://localhost",
        data={"username": "caseworker", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert "Secure" in secure.headers["Set-Cookie"]


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example/x",
        "/\\evil.example/x",
        "https://evil.example/",
        "/\t/evil.example",
        "/account/password",
    ],
)
def test_next_never_leaves_the_site(app, target):
    client = app.test_client()
    page = client.get("/signin")
    response = client.post(
        "/signin",
        query_string={"next": target},
        data={"username": "caseworker", "password": PASSWORD, "csrf_token": csrf_from(page.text)},
    )
    assert response.headers["Location"] == ("/" if "evil" in target else target)


def test_deactivated_users_are_signed_out_at_once(client, web_engine):
    sign_in(client, "caseworker")
    with web_engine.db.sa_engine.begin() as c:
        c.execute(sa.text("UPDATE app_user SET is_active = false WHERE username = 'caseworker'"))
    assert client.get("/").status_code == 302
