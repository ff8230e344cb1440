"""Connections and transactions.

Engine commands write inside :meth:`Database.write`, one transaction each. On
SQLite that transaction starts with ``BEGIN IMMEDIATE``: writers queue for the
single write lock up front instead of failing halfway with "database is
locked" after reading a stale snapshot. Queries use :meth:`Database.read`,
which never writes: on SQLite it ends with a rollback; on PostgreSQL it is a ``READ ONLY``
transaction (a write inside fails loudly) that ends with a commit. Ending it with a
rollback made psycopg forget every statement it had prepared on the connection: with reads
between commands (every page does some), no statement ever reached psycopg's threshold for
preparing, and every command's statements were planned anew.

On a database server, a pooled connection is pinged before use only when it sat unused
for :data:`PING_AFTER_IDLE_S` or longer (:func:`_ping_idle_connections`).

A SQLite database file (and so its WAL) is created owner-only (0600) in an owner-only folder, and
one found readable by others is narrowed before it is opened (``engine/files.py``).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from sqlalchemy import Engine as SAEngine
from sqlalchemy import create_engine, event, exc
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from engine.files import private_dir, private_sqlite_file

SQLITE_BUSY_TIMEOUT_S = 30
# A connection back in the pool for less than this is used without a ping. A server restart,
# or a firewall dropping idle connections, takes longer than this, so the connections it cut
# have always sat at least this long and are pinged, and replaced, before anyone uses them.
PING_AFTER_IDLE_S = 1.0


def normalise_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use psycopg 3 for them."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url.removeprefix("postgres://")
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    return url


def _configure_sqlite(sa_engine: SAEngine, file: Path | None) -> None:
    if file is not None:

        @event.listens_for(sa_engine, "do_connect")
        def _private_file(_dialect, _record, _cargs, _cparams) -> None:
            private_sqlite_file(file)  # before SQLite would create it 0644

    @event.listens_for(sa_engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event below decide how transactions start.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(sa_engine, "begin")
    def _on_begin(connection) -> None:
        mode = "IMMEDIATE" if connection.get_execution_options().get("pp_write") else "DEFERRED"
        connection.exec_driver_sql(f"BEGIN {mode}")


def hold(session: Session, *rows: object) -> None:
    """Keep ``rows`` for as long as ``session`` lives. The session's identity map holds
    objects weakly: a row read by one step of a command and dropped is read from the database
    again by the next step that asks for it by key. Held, the next ``session.get`` finds it.
    For the few rows a command reads twice, never for a bulk read's rows."""
    session.info.setdefault("held_rows", []).extend(rows)


def writes_alone(session: Session) -> bool:
    """Whether ``session`` is a write transaction on SQLite, where ``BEGIN IMMEDIATE`` took
    the database's one write lock before its first statement: nothing it reads can change
    until it commits, as if every row it read were locked."""
    bind = session.get_bind()
    return bind.dialect.name == "sqlite" and bool(bind.get_execution_options().get("pp_write"))


def _ping_idle_connections(sa_engine: SAEngine, database: Database) -> None:
    """SQLAlchemy's ``pool_pre_ping``, but only for connections that sat idle.

    Pinging at every checkout was a round trip before every command and every query on
    PostgreSQL: about a tenth of a task completion. A connection a busy worker handed back
    milliseconds ago is as alive as it was then. A ping that fails makes the pool discard the
    connection and take another (SQLAlchemy's ``DisconnectionError`` contract).
    """

    @event.listens_for(sa_engine, "checkin")
    def _idle_from(_dbapi_connection, record) -> None:
        record.info["idle_since"] = database.monotonic()

    @event.listens_for(sa_engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy) -> None:
        since = record.info.pop("idle_since", None)
        if since is None or database.monotonic() - since < PING_AFTER_IDLE_S:
            return  # just connected, or just used
        database.pings += 1
        try:
            sa_engine.dialect.do_ping(dbapi_connection)
        except sa_engine.dialect.loaded_dbapi.Error as err:
            raise exc.DisconnectionError(f"an idle connection was dropped: {err}") from err


class Database:
    def __init__(self, url: str, *, echo: bool = False) -> None:
        self.url = normalise_url(url)
        parsed = make_url(self.url)
        self.dialect = parsed.get_backend_name()
        kwargs: dict = {"echo": echo, "future": True}
        file = None
        if self.dialect == "sqlite":
            if parsed.database and parsed.database != ":memory:" and "uri" not in parsed.query:
                file = Path(parsed.database)
                private_dir(file.parent)
            kwargs["connect_args"] = {"check_same_thread": False}
        # What idle time is measured on, and how many pings were sent (tests read both).
        self.monotonic: Callable[[], float] = time.monotonic
        self.pings = 0
        self.sa_engine = create_engine(self.url, **kwargs)
        if self.dialect == "sqlite":
            _configure_sqlite(self.sa_engine, file)
        else:
            _ping_idle_connections(self.sa_engine, self)
        self._writer = sessionmaker(
            bind=self.sa_engine.execution_options(pp_write=True), expire_on_commit=False
        )
        reading = self.sa_engine
        if self.dialect == "postgresql":
            reading = reading.execution_options(postgresql_readonly=True)
        self._reader = sessionmaker(bind=reading, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        return self.dialect == "sqlite"

    @contextlib.contextmanager
    def write(self) -> Iterator[Session]:
        """One engine command: commits when the block returns, rolls back when it raises."""
        with self._writer() as session, session.begin():
            yield session

    @contextlib.contextmanager
    def read(self) -> Iterator[Session]:
        """Queries only: a statement that writes is refused (PostgreSQL) or rolled back
        (SQLite); objects changed and never flushed are dropped on both."""
        with self._reader() as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            if self.dialect == "postgresql" and not (
                session.new or session.dirty or session.deleted
            ):
                session.commit()  # nothing to flush: the transaction ends as it began
            else:
                session.rollback()  # objects changed in passing are dropped, as on SQLite

    def after_write_commit(self, listener: Callable[[Session], None]) -> None:
        """Call ``listener(session)`` after each :meth:`write` transaction has committed."""
        event.listen(self._writer, "after_commit", listener)

    def dispose(self) -> None:
        self.sa_engine.dispose()
