"""`pathways backup` / `pathways restore` round-trip a populated SQLite database while it is in
use; the restored trail verifies and the cases read back with the same key."""

from __future__ import annotations

import os

import pytest

from tests.conftest import ON_POSTGRES
from tests.support.cli import run_pathways
from tests.support.web import ADULT_SCREENING

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="PostgreSQL backups use pg_dump (docs)")


def test_a_backup_restores_into_an_empty_place(web_engine, cli_env, tmp_path):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    snapshot = tmp_path / "backups" / "pathways.db"

    made = run_pathways(
        cli_env, "backup", str(snapshot)
    )  # the engine above still holds connections
    assert made.returncode == 0, made.stderr
    assert run_pathways(cli_env, "backup", str(snapshot)).returncode != 0  # never overwrites

    elsewhere = dict(cli_env, DATABASE_URL=f"sqlite:///{tmp_path / 'new' / 'restored.db'}")
    restored = run_pathways(elsewhere, "restore", str(snapshot))
    assert restored.returncode == 0, restored.stderr
    assert "audit chain verified" in restored.stdout
    again = run_pathways(elsewhere, "restore", str(snapshot))
    assert again.returncode != 0 and "--replace" in again.stderr

    listed = run_pathways(elsewhere, "tasks", "--as", "caseworker", "--json")
    assert listed.returncode == 0, listed.stderr
    assert started.case_ref in listed.stdout  # readable with the same key


def test_restore_refuses_what_is_not_a_backup(cli_env, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(os.urandom(4096))
    result = run_pathways(cli_env, "restore", str(junk), "--replace")
    assert result.returncode != 0 and "not a SQLite database" in result.stderr


def test_restore_wants_the_key_first(cli_env, tmp_path):
    env = {k: v for k, v in cli_env.items() if k != "PATHWAYS_DATA_KEYS"}
    env["PATHWAYS_KEY_FILE"] = str(tmp_path / "absent.key")
    result = run_pathways(env, "restore", str(tmp_path / "any.db"))
    assert result.returncode != 0 and "key file" in result.stderr
