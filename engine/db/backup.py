"""Consistent online backups of the embedded SQLite database, and restoring one.

SQLite's backup API copies a consistent snapshot while the app keeps serving
(writers wait only for the page copy). PostgreSQL has its own tools: use
``pg_dump``/``pg_restore`` (docs/deploy.md). The encryption key is not in the
database and must be backed up separately: a backup without its key is
unreadable by design.

Backups and restored databases are created owner-only (0600), like the database itself.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlalchemy.engine import make_url

from engine.db.database import Database
from engine.errors import InvalidRequest
from engine.files import create_private_file, private_sqlite_file

POSTGRES_ADVICE = "for PostgreSQL use pg_dump and pg_restore (see docs/deploy.md)"


def _sqlite_path(db: Database) -> Path:
    if not db.is_sqlite:
        raise InvalidRequest(POSTGRES_ADVICE)
    return Path(make_url(db.url).database)


def backup(db: Database, target: Path) -> int:
    """Write a snapshot to ``target`` (must not exist); returns its size in bytes."""
    _sqlite_path(db)
    try:
        create_private_file(target)  # 0600 from the first byte; never over an existing file
    except FileExistsError:
        raise InvalidRequest(f"{target} exists; choose a new file name") from None
    try:
        source = db.sa_engine.raw_connection()
        try:
            destination = sqlite3.connect(target)
            try:
                source.driver_connection.backup(destination)
            finally:
                destination.close()
        finally:
            source.close()
    except BaseException:
        target.unlink(missing_ok=True)  # no half-written backup left to be trusted later
        raise
    return target.stat().st_size


def check_backup(path: Path) -> None:
    """Refuse anything that is not an intact backup of this application's database."""
    if not path.is_file():
        raise InvalidRequest(f"{path}: no such file")
    try:
        connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            (result,) = connection.execute("PRAGMA integrity_check").fetchone()
            tables = {r[0] for r in connection.execute("SELECT name FROM sqlite_master")}
        finally:
            connection.close()
    except sqlite3.DatabaseError as err:
        raise InvalidRequest(f"{path} is not a SQLite database: {err}") from err
    if result != "ok":
        raise InvalidRequest(f"{path} is damaged: {result}")
    if not {"audit_event", "process_instance", "alembic_version"} <= tables:
        raise InvalidRequest(f"{path} is not a Protection Pathways database")


def restore(db: Database, source: Path, *, replace: bool = False) -> None:
    """Copy a checked backup into the configured database file (stop the app first)."""
    target = _sqlite_path(db)
    check_backup(source)
    if target.exists() and not replace:
        raise InvalidRequest(f"{target} exists; pass --replace to overwrite it")
    db.dispose()
    for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
        leftover.unlink(missing_ok=True)
    private_sqlite_file(target)
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    try:
        destination = sqlite3.connect(target)
        try:
            origin.backup(destination)
        finally:
            destination.close()
    finally:
        origin.close()
