"""Users: creation, sign-in with lock-out, and every attempt audited."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.errors import InvalidRequest
from engine.users.service import MAX_FAILED_LOGINS


def _logins(engine):
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT actor, action, detail_json FROM audit_event WHERE action LIKE 'user:login%' ORDER BY seq"
            )
        ).all()


def test_users_need_valid_names_roles_and_passwords(engine):
    with pytest.raises(InvalidRequest, match="username"):
        engine.add_user("bad name!", roles=["caseworker"])
    with pytest.raises(InvalidRequest, match="not a role"):
        engine.add_user("ok", roles=["9lives"])
    with pytest.raises(InvalidRequest, match="at least 10"):
        engine.add_user("ok", roles=["caseworker"], password="short")
    engine.add_user("ok", roles=["Child protection officer"])
    with pytest.raises(InvalidRequest, match="already exists"):
        engine.add_user("ok", roles=["caseworker"])


def test_sign_in_audits_success_and_failure(engine):
    engine.add_user("dana", roles=["caseworker"], password="a long password 1")
    assert engine.authenticate("dana", "a long password 1").ok
    result = engine.authenticate("dana", "wrong password!!")
    assert not result.ok and result.actor is None
    assert not engine.authenticate("nobody", "whatever password").ok
    assert [(a, act) for a, act, _ in _logins(engine)] == [
        ("dana", "user:login:ok"),
        ("dana", "user:login:failed"),
        ("nobody", "user:login:failed"),
    ]
    engine.add_user("admin", roles=["admin"])
    assert engine.verify_audit(actor="admin").ok


def test_repeated_failures_lock_the_account_for_a_while(engine, clock):
    engine.add_user("eve", roles=["caseworker"], password="a long password 2")
    for _ in range(MAX_FAILED_LOGINS):
        assert not engine.authenticate("eve", "guess guess guess").ok
    locked = engine.authenticate("eve", "a long password 2")
    assert (locked.ok, locked.reason) == (False, "locked out")
    clock.advance(timedelta(minutes=16))
    assert engine.authenticate("eve", "a long password 2").ok
