"""Every command checks who runs it itself, whatever door called it: the web routes and the
facade check too, but ``Engine.run`` accepts any command, so the engine is the last word."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.audit import chain
from engine.audit import commands as audit_commands
from engine.crypto import commands as key_commands
from engine.crypto.rotation import ResealReport
from engine.errors import PermissionDenied


def _events(engine, action: str) -> int:
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text("SELECT count(*) FROM audit_event WHERE action = :a"), {"a": action}
        ).scalar()


def test_only_administrators_and_the_operator_add_users(engine, people):
    with pytest.raises(PermissionDenied, match="only administrators may add users"):
        engine.add_user("mallory", roles=["admin"], actor=people["coordinator"])
    assert not engine.user_exists("mallory")
    engine.add_user("dana", roles=["caseworker"], actor=people["admin"])
    engine.add_user("erin", roles=["caseworker"])  # the operator's command line (system)
    assert engine.user_exists("dana") and engine.user_exists("erin")


def test_a_verification_or_a_key_record_is_refused_to_others(engine, people):
    report = chain.ChainReport(ok=True, checked=0, last_seq=0, last_occurred_at=None)
    with pytest.raises(PermissionDenied):
        engine.run(audit_commands.record_verification, actor=people["caseworker"], report=report)
    with pytest.raises(PermissionDenied):
        engine.run(key_commands.record_rotation, actor=people["coordinator"])
    with pytest.raises(PermissionDenied):
        engine.run(key_commands.record_reseal, actor=people["caseworker"], report=ResealReport())
    assert _events(engine, "audit:chain:verified") == 0
    engine.run(key_commands.record_rotation, actor=people["admin"])
    engine.run(key_commands.record_rotation, actor="system")
    assert _events(engine, "keys:rotated") == 2
