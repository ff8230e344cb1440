"""Counting what a command costs the database: SQL statements and write transactions.

A listener on the engine's connections, not a timer: the counts are exact and the same on
every machine, so budgets on them are honest regression tests (times belong in ``bench/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event, inspect
from sqlalchemy.engine.interfaces import CacheStats
from sqlalchemy.orm import object_session

from engine.db.base import Base


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    write_transactions: int = 0
    # Statements SQLAlchemy compiled for this execution instead of taking their compiled
    # form from its cache: one that cannot be cached is compiled at every execution.
    compiled: list[str] = field(default_factory=list)
    # Rows read a second time in the transaction that read them: a SELECT repeated with the
    # same parameters, or a row the session's weak identity map let go of and another
    # statement loaded again ("case_facts (3,)").
    read_again: list[str] = field(default_factory=list)

    @property
    def sql(self) -> list[str]:
        """The statements without SQLite's explicit BEGIN (PostgreSQL's is implicit)."""
        return [s for s in self.statements if not s.startswith("BEGIN")]

    def clear(self) -> None:
        self.statements.clear()
        self.write_transactions = 0
        self.compiled.clear()
        self.read_again.clear()


_READ_IN_TRANSACTION = "pp_counted_reads"
_ROWS_IN_SESSION = "pp_counted_rows"


@contextmanager
def counting(database) -> Iterator[Counted]:
    """Count on ``database`` (an ``engine.db.database.Database``) while the block runs."""
    counted = Counted()
    engine = database.sa_engine

    def on_statement(conn, cursor, statement, parameters, context, _many):
        counted.statements.append(" ".join(statement.split()))
        if statement.lstrip().startswith("SELECT"):
            read = (statement, repr(parameters))
            earlier = conn.info.setdefault(_READ_IN_TRANSACTION, set())
            if read in earlier:
                counted.read_again.append(" ".join(statement.split()))
            earlier.add(read)
        if context.compiled is not None and context.cache_hit != CacheStats.CACHE_HIT:
            counted.compiled.append(" ".join(statement.split()))

    def on_row_loaded(row, _context):
        session = object_session(row)
        if session is None or session.get_bind().pool is not engine.pool:
            return
        key = inspect(row).identity_key
        earlier = session.info.setdefault(_ROWS_IN_SESSION, set())
        if key in earlier:
            counted.read_again.append(f"{row.__table__.name} {key[1]}")
        earlier.add(key)

    def on_begin(conn):
        conn.info[_READ_IN_TRANSACTION] = set()
        if conn.get_execution_options().get("pp_write"):
            counted.write_transactions += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    event.listen(Base, "load", on_row_loaded, propagate=True)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "begin", on_begin)
        event.remove(Base, "load", on_row_loaded)
