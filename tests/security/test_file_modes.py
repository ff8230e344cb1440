"""The SQLite database, its WAL, backups and the var/ folders are owner-only, like the keys:
whatever the umask, no other local account can read them."""

from __future__ import annotations

import os
import shutil
import stat
from pathlib import Path

import pytest

from engine.clock import FixedClock
from engine.config import PROJECT_ROOT, Settings
from engine.db import backup as backups
from engine.db.database import Database
from engine.runtime import Engine
from tests.conftest import ON_POSTGRES
from tests.support.cli import run_pathways

pytestmark = pytest.mark.skipif(ON_POSTGRES, reason="file modes of the embedded SQLite database")


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def common_umask():
    """022, the usual default: new files would be 0644 unless made otherwise on purpose."""
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def test_the_embedded_database_its_wal_and_var_are_owner_only(tmp_path, monkeypatch):
    monkeypatch.delenv("PATHWAYS_DATA_KEYS", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    var = tmp_path / "srv" / "var"
    settings = Settings(
        var_dir=var, forms_dir=PROJECT_ROOT / "forms", workflows_dir=PROJECT_ROOT / "workflows"
    )
    engine = Engine(settings, clock=FixedClock())
    try:
        engine.upgrade_database()
        engine.add_user("caseworker", roles=["caseworker"], password="a long enough password")
        database = var / "pathways.db"
        side_files = [Path(f"{database}-wal"), Path(f"{database}-shm")]
        assert all(p.exists() for p in side_files)  # WAL mode, connections open
        assert {p.name: _mode(p) for p in [database, *side_files]} == {
            "pathways.db": 0o600,
            "pathways.db-wal": 0o600,
            "pathways.db-shm": 0o600,
        }
        assert _mode(var / "keys" / "data.key") == 0o600
        assert _mode(var) == 0o700
        assert _mode(var / "keys") == 0o700
        assert _mode(tmp_path / "srv") == 0o700  # created for it, so nobody else's
    finally:
        engine.close()


def test_a_database_left_readable_by_others_is_narrowed_when_opened(template, tmp_path, keyring):
    database = tmp_path / "old.db"
    shutil.copyfile(template, database)
    database.chmod(0o644)
    wal = Path(f"{database}-wal")
    wal.touch(mode=0o644)
    settings = Settings(var_dir=tmp_path / "var", database_url=f"sqlite:///{database}")
    engine = Engine(settings, keyring=keyring, clock=FixedClock())
    try:
        assert engine.user_exists("nobody") is False
        assert _mode(database) == 0o600 and _mode(wal) == 0o600
    finally:
        engine.close()


def test_backups_and_restored_databases_are_owner_only(web_engine, cli_env, tmp_path):
    snapshot = tmp_path / "backups" / "pathways.db"
    made = run_pathways(cli_env, "backup", str(snapshot))
    assert made.returncode == 0, made.stderr
    assert _mode(snapshot) == 0o600
    assert _mode(snapshot.parent) == 0o700

    restored_at = tmp_path / "new" / "restored.db"
    backups.restore(Database(f"sqlite:///{restored_at}"), snapshot)
    assert _mode(restored_at) == 0o600

    replaced_at = tmp_path / "replaced.db"
    replaced_at.write_bytes(b"")
    replaced_at.chmod(0o644)
    backups.restore(Database(f"sqlite:///{replaced_at}"), snapshot, replace=True)
    assert _mode(replaced_at) == 0o600
