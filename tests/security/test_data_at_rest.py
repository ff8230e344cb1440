"""After each scenario, the raw database (SQLite file and its WAL, or a PostgreSQL dump) holds none
of the scenario's names or narrative answers in plaintext: case data is encrypted at rest."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from sqlalchemy.engine import make_url

from engine.config import PROJECT_ROOT
from engine.scenarios.fresh import fresh_engine
from engine.scenarios.model import load
from engine.scenarios.runner import run_scenario
from tests.conftest import ON_POSTGRES

SCENARIOS = sorted((PROJECT_ROOT / "workflows" / "scenarios").glob("*.yaml"))
NAME_FIELDS = frozenset({"alias", "guardian_name", "date_of_birth", "name"})


def _secrets(document) -> set[str]:
    """Names, dates of birth and free-text answers (anything with a space that is not a code)."""
    found: set[str] = set()

    def walk(value, key=None):
        if isinstance(value, dict):
            for k, v in value.items():
                walk(v, k)
        elif isinstance(value, list):
            for v in value:
                walk(v, key)
        elif isinstance(value, str) and (key in NAME_FIELDS or (" " in value and len(value) >= 12)):
            found.add(value)

    for step in document.steps:
        walk(step.options.get("answers"))
    return found


def _raw_bytes(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        path = Path(parsed.database)
        return b"".join(p.read_bytes() for p in (path, Path(f"{path}-wal")) if p.exists())
    dump = subprocess.run(
        [
            shutil.which("pg_dump") or "/usr/bin/pg_dump",
            "--no-owner",
            "-h",
            parsed.host or "127.0.0.1",
            "-U",
            parsed.username or "postgres",
            "-p",
            str(parsed.port or 5432),
            parsed.database,
        ],
        capture_output=True,
        check=True,
        timeout=120,
    )
    return dump.stdout


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_no_plaintext_case_data_in_the_database(path):
    scenario = load(path)
    secrets = _secrets(scenario)
    with fresh_engine() as (engine, clock):
        assert run_scenario(engine, clock, scenario).passed
        engine.db.sa_engine.dispose()  # flush pooled connections before reading the file
        raw = _raw_bytes(engine.settings.database_url)
    assert raw, "nothing read"
    leaked = sorted(s for s in secrets if s.encode() in raw)
    assert leaked == [], f"plaintext in the {'dump' if ON_POSTGRES else 'database file'}: {leaked}"


def test_the_scan_would_see_plaintext():
    """The scan itself works: a value stored unencrypted is found, and there is much to look for."""
    assert sum(len(_secrets(load(p))) for p in SCENARIOS) >= 40
    with fresh_engine() as (engine, _):
        engine.add_user("someone", roles=["caseworker"], display_name="Plain Visible Name")
        engine.db.sa_engine.dispose()
        assert b"Plain Visible Name" in _raw_bytes(engine.settings.database_url)
