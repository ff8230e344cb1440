"""The audit trail is append-only in the database and its hash chain exposes any edit."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import DBAPIError

from tests.conftest import ON_POSTGRES
from tests.integration.helpers import deploy_pathway, drop_audit_triggers, execute_sql, only_task


@pytest.fixture
def trail(engine, tmp_path, people):
    deploy_pathway(engine, tmp_path / "wf")
    engine.start("intake", actor=people["responder"])
    task = only_task(engine, people["responder"])
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
    )
    report = engine.verify_audit(actor="admin")
    assert report.ok and report.checked >= 8
    return report


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_event SET actor = 'someone_else' WHERE seq = 3",
        "DELETE FROM audit_event WHERE seq = 3",
        "DELETE FROM audit_chain_head",
        "UPDATE audit_chain_head SET last_seq = 2",
    ],
)
def test_the_database_refuses_edits(engine, trail, statement):
    with pytest.raises(DBAPIError, match=r"append-only|cannot be deleted|refused|may only advance"):
        execute_sql(engine, statement)
    assert engine.verify_audit(actor="admin").ok


@pytest.mark.skipif(not ON_POSTGRES, reason="TRUNCATE is PostgreSQL syntax")
def test_truncate_is_refused_on_postgres(engine, trail):
    with pytest.raises(DBAPIError, match="refused"):
        execute_sql(engine, "TRUNCATE audit_event")


def test_an_edit_made_after_dropping_the_triggers_is_named(engine, trail):
    execute_sql(
        engine, *drop_audit_triggers(engine), "UPDATE audit_event SET actor = 'admin' WHERE seq = 5"
    )
    report = engine.verify_audit(actor="admin")
    assert not report.ok
    assert report.broken_seq == 5
    assert "edited" in report.reason
    assert report.last_seq == 4


def test_a_deleted_row_is_found(engine, trail):
    execute_sql(engine, *drop_audit_triggers(engine), "DELETE FROM audit_event WHERE seq = 4")
    report = engine.verify_audit(actor="admin")
    assert (report.ok, report.broken_seq) == (False, 5)
    assert "missing" in report.reason


def test_rows_cut_off_the_end_are_found(engine, trail):
    last = trail.last_seq
    execute_sql(engine, *drop_audit_triggers(engine), f"DELETE FROM audit_event WHERE seq = {last}")
    report = engine.verify_audit(actor="admin")
    assert not report.ok and "cut off the end" in report.reason


def test_a_rewritten_tail_with_recomputed_hashes_still_fails_against_the_head(engine, trail):
    """Editing a row and re-hashing it moves the break to the head comparison."""
    from engine.audit.chain import compute_hash
    from engine.audit.models import AuditEvent

    last = trail.last_seq
    execute_sql(engine, *drop_audit_triggers(engine))
    with engine.db.write() as session:
        event = session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == last)).one()
        event.actor = "forger"
        event.hash = compute_hash(event)
    report = engine.verify_audit(actor="admin")
    assert not report.ok and "head" in report.reason


def test_appends_chain_on_within_a_transaction_and_restart_from_the_head_in_the_next(engine):
    """Several events of one transaction chain onto each other and move the head once, at
    commit; a session reused for a later transaction starts from the head as it is then,
    even when another writer appended in between."""
    from sqlalchemy.orm import Session

    from engine.audit import chain
    from engine.audit.actions import AuditAction

    def note(session, actor):
        chain.append(
            session,
            engine.keyring,
            occurred_at=engine.clock.now(),
            actor=actor,
            action=AuditAction.LOGOUT,
        )

    reused = Session(engine.db.sa_engine)
    try:
        with reused.begin():
            note(reused, "first")
            note(reused, "second")
        with engine.db.write() as other:
            note(other, "someone else")
        with reused.begin():
            note(reused, "third")
    finally:
        reused.close()
    with engine.db.read() as session:
        report = chain.verify(session)
    assert report.ok, report.reason
    assert report.checked == report.last_seq
