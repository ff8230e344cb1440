"""`pathways keys rotate` puts a new key first and re-encrypts case data under it while the app
runs; afterwards the new key alone reads every case, draft and workflow state. Audit payloads
stay under the key that sealed them (the hash chain covers them), so earlier keys are kept."""

from __future__ import annotations

import pytest

from engine.audit.search import AuditFilters
from engine.crypto.keyring import Keyring, KeyringError, write_key_file
from engine.runtime import Engine
from tests.support.cli import run_pathways
from tests.support.web import ADULT_SCREENING


def test_rotation_moves_case_data_to_the_new_key(web_engine, cli_env, data_key, tmp_path):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    consent = web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0]
    web_engine.save_draft(consent.id, actor="caseworker", answers={"language": "Tagalog"})
    answered = next(
        e
        for e in web_engine.history(started.instance_id, actor="admin")
        if e.action == "instance:task:completed"
    )

    key_file = tmp_path / "keys" / "data.key"
    write_key_file(key_file, [data_key])
    running = Engine(  # a process that was started before the rotation, reading the key file
        web_engine.settings, keyring=Keyring.from_file(key_file), clock=web_engine.clock
    )
    env = {k: v for k, v in cli_env.items() if k != "PATHWAYS_DATA_KEYS"}
    env["PATHWAYS_KEY_FILE"] = str(key_file)
    rotated = run_pathways(env, "keys", "rotate")
    assert rotated.returncode == 0, rotated.stderr
    assert "instance_state: 1 re-encrypted" in rotated.stdout
    assert "case_facts: 1 re-encrypted" in rotated.stdout
    assert "task_draft: 1 re-encrypted" in rotated.stdout
    assert "audit payloads stay under earlier keys" in rotated.stdout

    both = Keyring.from_file(key_file)
    assert both.raw_keys()[1] == data_key and both.raw_keys()[0] != data_key
    new_only = Engine(
        web_engine.settings, keyring=Keyring(both.raw_keys()[:1]), clock=web_engine.clock
    )
    try:
        assert new_only.view_case(started.case_ref, actor="admin").facts
        assert new_only.task_details(consent.id, actor="caseworker").draft == {
            "language": "Tagalog"
        }
        assert new_only.instance_map(started.instance_id, actor="admin").processes
        with pytest.raises(KeyringError):
            new_only.event_data(answered.seq, actor="admin")  # why old keys must stay
    finally:
        new_only.close()

    # The running process reads the re-encrypted rows without a restart, and seals with the new key.
    assert running.task_details(consent.id, actor="caseworker").draft == {"language": "Tagalog"}
    running.save_draft(consent.id, actor="caseworker", answers={"language": "Tetum"})
    assert running.keyring.active_key_id == both.active_key_id
    running.close()

    status = run_pathways(env, "keys", "status")
    active = both.active_key_id
    assert f"instance_state: {active} (active): 1" in status.stdout
    assert f"task_draft: {active} (active): 1" in status.stdout
    assert run_pathways(env, "keys", "reseal").stdout.count(": 0 re-encrypted") == 3
    # Both are in the trail: who rotated to which key, what each re-encryption moved.
    rotations, _ = web_engine.audit_search(AuditFilters(action="keys:rotated"), actor="admin")
    assert [(e.actor, e.detail["key"]) for e in rotations] == [("system", active)]
    reseals, _ = web_engine.audit_search(AuditFilters(action="keys:resealed"), actor="admin")
    assert [e.detail["resealed"]["instance_state"] for e in reseals] == [0, 1]  # newest first
    assert web_engine.verify_audit(actor="admin").ok


def test_rotation_with_keys_in_the_environment_explains_what_to_do(cli_env):
    result = run_pathways(cli_env, "keys", "rotate")
    assert result.returncode != 0 and "PATHWAYS_DATA_KEYS" in result.stderr
