"""The audit chain is anchored outside the database.

A database superuser can drop the triggers, rewrite rows, recompute every hash and move the chain
head: the chain alone then verifies. Signed checkpoints in a file outside the database (and a key
never in it) catch that, and a cut-off tail, and a checkpoint that was altered or forged.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import stat
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.audit.checkpoints import checkpoint_line
from engine.audit.models import AuditChainHead, AuditEvent
from engine.clock import parse_instant
from engine.config import PROJECT_ROOT, Settings
from engine.errors import PermissionDenied
from engine.runtime import Engine
from tests.integration.helpers import drop_audit_triggers, execute_sql
from tests.support.cli import run_pathways
from tests.support.web import ADULT_SCREENING


@pytest.fixture
def trail(web_engine):
    """A case with some history, verified once: the verification signs the end of the chain."""
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    report = web_engine.verify_audit(actor="admin")
    assert report.ok and report.checkpoints.ok
    assert report.checkpoints.signed_now == report.last_seq > 5
    return report


def _lines(engine) -> list[dict]:
    path = engine.settings.audit_checkpoint_file
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]


def _chain_alone(engine) -> chain.ChainReport:
    with engine.db.read() as session:
        return chain.verify(session)


def _rewrite_as_superuser(engine, seq: int, actor: str) -> None:
    """Edit one row, then recompute every later hash and the head, as an intruder with DDL would."""
    execute_sql(engine, *drop_audit_triggers(engine))
    with engine.db.write() as session:
        events = session.scalars(
            sa.select(AuditEvent).where(AuditEvent.seq >= seq).order_by(AuditEvent.seq)
        ).all()
        previous = events[0].prev_hash
        events[0].actor = actor
        for event in events:
            event.prev_hash = previous
            event.hash = chain.compute_hash(event)
            previous = event.hash
        session.get(AuditChainHead, chain.HEAD_ID).last_hash = previous


def _cut_off_after(engine, seq: int) -> None:
    """Delete the newest events and move the head back to ``seq``: a consistent, shorter chain."""
    execute_sql(engine, *drop_audit_triggers(engine), f"DELETE FROM audit_event WHERE seq > {seq}")
    with engine.db.write() as session:
        kept = session.scalars(sa.select(AuditEvent).where(AuditEvent.seq == seq)).one()
        head = session.get(AuditChainHead, chain.HEAD_ID)
        head.last_seq, head.last_hash = seq, kept.hash


def test_a_superuser_rewrite_with_every_hash_and_the_head_recomputed_is_caught(web_engine, trail):
    lines_before = len(_lines(web_engine))
    _rewrite_as_superuser(web_engine, 3, "someone_else")
    assert _chain_alone(web_engine).ok  # the database alone is fooled

    report = web_engine.verify_audit(actor="admin")
    assert not report.ok
    assert report.chain_ok  # the chain is consistent in itself...
    assert not report.checkpoints.ok  # ...but not with what was signed outside the database
    named = re.search(r"event (\d+) does not match the checkpoint signed at", report.reason)
    assert named and 3 <= int(named.group(1)) <= trail.last_seq  # the first one signed after it
    assert "the trail was rewritten after it was signed" in report.reason
    assert report.checkpoints.signed_now is None  # a broken trail is never signed
    assert len(_lines(web_engine)) == lines_before


def test_events_cut_off_the_end_with_the_head_moved_back_are_caught(web_engine, trail):
    _cut_off_after(web_engine, trail.last_seq - 2)
    assert _chain_alone(web_engine).ok

    report = web_engine.verify_audit(actor="admin")
    assert not report.ok and report.chain_ok
    assert f"the trail ends at event {trail.last_seq - 2}" in report.reason
    assert f"names event {trail.last_seq}: events were cut off the end" in report.reason


def _forge_with_another_key(line: dict) -> str:
    """What an intruder who rewrote the file as well would sign with: a key of their own."""
    return checkpoint_line(os.urandom(32), line["seq"], "a" * 64, parse_instant(line["at"]))


@pytest.mark.parametrize(
    ("forge", "expected"),
    [
        (lambda line: json.dumps({**line, "hash": "b" * 64}), "has a bad signature"),
        (lambda line: json.dumps({**line, "seq": line["seq"] - 1}), "has a bad signature"),
        (_forge_with_another_key, "not with the configured checkpoint key"),
        (lambda line: '{"seq": 1, "hash": ', "is not a checkpoint"),
    ],
    ids=["hash-edited", "seq-edited", "other-key", "not-json"],
)
def test_a_checkpoint_altered_or_forged_is_reported(web_engine, trail, forge, expected):
    path = web_engine.settings.audit_checkpoint_file
    lines = _lines(web_engine)
    kept = "".join(json.dumps(line) + "\n" for line in lines[:-1])
    path.write_text(kept + forge(lines[-1]).rstrip("\n") + "\n")

    report = web_engine.verify_audit(actor="admin")
    assert not report.ok and report.chain_ok
    assert expected in report.reason
    assert f"line {len(lines)}" in report.reason


def test_verification_and_history_are_for_administrators_only(web_engine, trail):
    with pytest.raises(PermissionDenied, match="administrators"):
        web_engine.verify_audit(actor="caseworker")
    with pytest.raises(PermissionDenied, match="administrators"):
        web_engine.history(1, actor="caseworker")
    assert web_engine.history(1, actor="admin")


@pytest.fixture
def counting(database_url, keyring, clock, tmp_path):
    """An engine that signs a checkpoint every 5 events (and hourly), under a common umask."""
    previous = os.umask(0o022)
    settings = Settings(
        var_dir=tmp_path / "own-var",
        database_url=database_url,
        forms_dir=PROJECT_ROOT / "forms",
        workflows_dir=PROJECT_ROOT / "workflows",
        audit_checkpoint_every=5,
        audit_checkpoint_interval_s=3600,
    )
    engine = Engine(settings, keyring=keyring, clock=clock)
    yield engine
    engine.close()
    os.umask(previous)


def _append(engine, count: int, *, fail: bool = False) -> None:
    with engine.db.write() as session:
        for _ in range(count):
            chain.append(
                session,
                engine.keyring,
                occurred_at=engine.clock.now(),
                actor="someone",
                action=AuditAction.LOGIN_FAILED,
            )
        if fail:
            raise RuntimeError("the command failed after writing its events")


def test_checkpoints_follow_commits_every_n_events_and_never_a_rollback(counting, clock):
    path = counting.settings.audit_checkpoint_file
    _append(counting, 1)  # a process's first commit is signed
    assert [line["seq"] for line in _lines(counting)] == [1]
    _append(counting, 2)
    assert [line["seq"] for line in _lines(counting)] == [1]  # 3 events: not due yet
    with pytest.raises(RuntimeError):
        _append(counting, 4, fail=True)  # would cross 5, but rolled back: nothing is signed
    assert [line["seq"] for line in _lines(counting)] == [1]
    _append(counting, 4)  # 4..7 crosses 5: the transaction's last event is signed
    assert [line["seq"] for line in _lines(counting)] == [1, 7]
    clock.advance(hours=1)
    _append(counting, 1)  # an hour later, any commit is signed
    assert [line["seq"] for line in _lines(counting)] == [1, 7, 8]

    with counting.db.read() as session:
        stored = dict(session.execute(sa.select(AuditEvent.seq, AuditEvent.hash)).all())
    assert all(stored[line["seq"]] == line["hash"] for line in _lines(counting))
    key_file = counting.settings.audit_checkpoint_key_file
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert key_file.parent == counting.settings.var_dir / "keys"
    assert path.parent == counting.settings.var_dir


def test_a_verification_recorded_in_the_console_is_signed(counting, clock):
    counting.add_user("ada", roles=["admin"])
    lines = len(_lines(counting))
    counting.verify_and_record(actor="ada")
    signed = _lines(counting)[-1]
    assert len(_lines(counting)) == lines + 1
    with counting.db.read() as session:
        recorded = session.execute(
            sa.select(AuditEvent.seq, AuditEvent.hash).where(
                AuditEvent.action == AuditAction.CHAIN_VERIFIED.value
            )
        ).one()
    assert (signed["seq"], signed["hash"]) == tuple(recorded)
    clock.advance(timedelta(minutes=1))
    assert counting.verify_audit(actor="ada").ok


def test_audit_verify_on_the_command_line(web_engine, trail, cli_env, tmp_path):
    assert run_pathways(cli_env, "audit", "verify").returncode == 2  # --as is required
    refused = run_pathways(cli_env, "audit", "verify", "--as", "caseworker")
    assert refused.returncode == 3 and "administrators" in refused.stderr
    ok = run_pathways(cli_env, "audit", "verify", "--as", "admin")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("OK:") and "signed checkpoint(s)" in ok.stdout

    off_machine = tmp_path / "worm" / "audit-checkpoints.jsonl"
    off_machine.parent.mkdir()
    shutil.copyfile(web_engine.settings.audit_checkpoint_file, off_machine)
    _rewrite_as_superuser(web_engine, 3, "someone_else")
    web_engine.settings.audit_checkpoint_file.unlink()  # the intruder also removes the local file

    against_copy = run_pathways(
        cli_env, "audit", "verify", "--as", "admin", "--checkpoints", str(off_machine)
    )
    assert against_copy.returncode == 1
    assert "BROKEN: the trail does not match its checkpoints" in against_copy.stderr
    assert "rewritten after it was signed" in against_copy.stderr
    as_json = run_pathways(
        cli_env, "audit", "verify", "--as", "admin", "--checkpoints", str(off_machine), "--json"
    )
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["checkpoints"]["ok"] is False


def test_history_on_the_command_line_needs_an_administrator(web_engine, trail, cli_env):
    instance_id = str(web_engine.history(1, actor="admin")[0].instance_id)
    assert run_pathways(cli_env, "history", instance_id).returncode == 2
    refused = run_pathways(cli_env, "history", instance_id, "--as", "caseworker")
    assert refused.returncode == 3
    shown = run_pathways(cli_env, "history", instance_id, "--as", "admin", "--json")
    assert shown.returncode == 0 and json.loads(shown.stdout)
    huge = run_pathways(cli_env, "history", "99999999999999999999999", "--as", "admin")
    assert huge.returncode == 2 and "range" in huge.stderr


def test_checkpoint_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("PATHWAYS_AUDIT_CHECKPOINTS", str(tmp_path / "ship" / "cp.jsonl"))
    monkeypatch.setenv("PATHWAYS_AUDIT_CHECKPOINT_KEY", str(tmp_path / "keys" / "cp.key"))
    monkeypatch.setenv("PATHWAYS_AUDIT_CHECKPOINT_EVERY", "250")
    monkeypatch.setenv("PATHWAYS_AUDIT_CHECKPOINT_INTERVAL", "60")
    settings = Settings(var_dir=tmp_path / "var")
    assert settings.audit_checkpoint_file == tmp_path / "ship" / "cp.jsonl"
    assert settings.audit_checkpoint_key_file == tmp_path / "keys" / "cp.key"
    assert (settings.audit_checkpoint_every, settings.audit_checkpoint_interval_s) == (250, 60)
