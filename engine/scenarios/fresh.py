"""A throw-away database with the shipped pathways deployed, for running scenarios."""

from __future__ import annotations

import contextlib
import os
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from engine.clock import FixedClock
from engine.config import Settings
from engine.crypto.keyring import Keyring, new_key
from engine.db.database import Database, normalise_url
from engine.runtime import Engine


@contextlib.contextmanager
def _database_url(folder: Path) -> Iterator[str]:
    server = os.environ.get("DATABASE_URL", "")
    if not server.startswith("postgres"):
        yield f"sqlite:///{folder / 'scenario.db'}"
        return
    url = make_url(normalise_url(server))
    name = f"pp_scenario_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextlib.contextmanager
def fresh_engine(base: Settings | None = None) -> Iterator[tuple[Engine, FixedClock]]:
    """Migrated, with ``workflows/`` deployed; on PostgreSQL when ``DATABASE_URL`` says so."""
    base = base or Settings()
    with tempfile.TemporaryDirectory() as folder, _database_url(Path(folder)) as url:
        clock = FixedClock()
        settings = Settings(
            var_dir=Path(folder),
            database_url=url,
            forms_dir=base.forms_dir,
            workflows_dir=base.workflows_dir,
            calendar_file=base.calendar_file,
            # its own, never the real trail's (the environment may name those)
            audit_checkpoint_file=Path(folder) / "audit-checkpoints.jsonl",
            audit_checkpoint_key_file=Path(folder) / "audit-checkpoint.key",
        )
        engine = Engine(settings, database=Database(url), keyring=Keyring([new_key()]), clock=clock)
        try:
            engine.upgrade_database()
            engine.deploy(actor="system")
            yield engine, clock
        finally:
            engine.close()
