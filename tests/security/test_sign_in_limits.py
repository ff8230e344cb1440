"""Sign-in limits per account, per (account, address) and per address: one person's failures
never refuse a colleague's right password from the same address, and every refusal is audited."""

from __future__ import annotations

import pytest

from engine.audit.search import AuditFilters
from tests.support.web import PASSWORD, csrf_from
from webapp.security.throttle import SignInThrottle

OFFICE, HOME, ELSEWHERE = "198.51.100.7", "203.0.113.9", "192.0.2.44"


def _attempt(client, username: str, password: str, address: str) -> int:
    page = client.get("/signin", environ_base={"REMOTE_ADDR": address})
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
        environ_base={"REMOTE_ADDR": address},
    ).status_code


@pytest.fixture
def small_limits(app, clock):
    """The app's limits made small so that a test reaches each in a few attempts."""
    app.extensions["signin_throttle"] = SignInThrottle(
        clock.now, per_account_and_address=3, per_account=5, per_address=8
    )


def _throttled(engine):
    entries, _ = engine.audit_search(AuditFilters(action="user:login:throttled"), actor="admin")
    return list(reversed(entries))  # oldest first


def test_one_persons_failures_never_refuse_a_colleague_behind_the_same_address(app):
    """The attack: 20 failures by one person behind the proxy gave everyone 429."""
    client = app.test_client()
    statuses = [_attempt(client, "supervisor", "guess guess guess", OFFICE) for _ in range(20)]
    assert statuses[:10] == [401] * 10 and set(statuses[10:]) == {429}
    for colleague in ("caseworker", "first_responder", "legal_adviser"):
        assert _attempt(app.test_client(), colleague, PASSWORD, OFFICE) == 302


def test_an_account_and_address_pair_is_limited_first(app, small_limits):
    client = app.test_client()
    assert [_attempt(client, "supervisor", "wrong password", OFFICE) for _ in range(4)] == [
        401,
        401,
        401,
        429,
    ]
    assert _attempt(client, "supervisor", "wrong password", HOME) == 401  # another address


def test_an_account_is_limited_from_every_address_together(app, small_limits):
    client = app.test_client()
    for n in range(5):
        assert _attempt(client, "nobody.here", "wrong password", f"192.0.2.{n}") == 401
    assert _attempt(client, "nobody.here", "wrong password", "192.0.2.200") == 429
    assert _attempt(client, "Nobody.Here", "wrong password", "192.0.2.201") == 429  # same account
    assert _attempt(app.test_client(), "caseworker", PASSWORD, "192.0.2.200") == 302


def test_one_address_trying_many_accounts_is_stopped(app, small_limits, clock):
    client = app.test_client()
    for n in range(8):
        assert _attempt(client, f"sprayed{n}", "Summer2026!!", ELSEWHERE) == 401
    assert _attempt(client, "caseworker", PASSWORD, ELSEWHERE) == 429  # before any check
    assert _attempt(app.test_client(), "caseworker", PASSWORD, OFFICE) == 302
    clock.advance(minutes=6)
    assert _attempt(app.test_client(), "caseworker", PASSWORD, ELSEWHERE) == 302


def test_right_passwords_use_up_no_limit(app, small_limits):
    for _ in range(12):
        assert _attempt(app.test_client(), "caseworker", PASSWORD, OFFICE) == 302


def test_refused_sign_ins_are_audited_without_growing_the_trail_at_will(
    app, small_limits, web_engine, clock
):
    client = app.test_client()
    for _ in range(3):
        _attempt(client, "supervisor", "wrong password", OFFICE)
    assert _throttled(web_engine) == []
    for _ in range(4):  # a burst of refusals: one record now...
        assert _attempt(client, "supervisor", "wrong password", OFFICE) == 429
    clock.advance(seconds=61)
    assert _attempt(client, "supervisor", "wrong password", OFFICE) == 429  # ...one a minute on
    records = _throttled(web_engine)
    assert [(e.actor, e.detail) for e in records] == [
        ("supervisor", {"reason": "too many attempts per account and address", "refused": 1}),
        ("supervisor", {"reason": "too many attempts per account and address", "refused": 4}),
    ]
    _entry, payload = web_engine.event_data(records[0].seq, actor="admin")
    assert payload == {"address": OFFICE}  # in the encrypted payload, not in plain detail
