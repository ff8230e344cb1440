"""Counting what a command costs the database: SQL statements and write transactions.

A listener on the engine's connections, not a timer: the counts are exact and the same on
every machine, so budgets on them are honest regression tests (times belong in ``bench/``).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from sqlalchemy import event
from sqlalchemy.engine.interfaces import CacheStats


@dataclass
class Counted:
    statements: list[str] = field(default_factory=list)
    write_transactions: int = 0
    # Statements SQLAlchemy compiled for this execution instead of taking their compiled
    # form from its cache: one that cannot be cached is compiled at every execution.
    compiled: list[str] = field(default_factory=list)
    # SELECTs run a second time, with the same parameters, in the transaction that ran them:
    # a row read, dropped by the session's weak identity map, and read again.
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

    def on_begin(conn):
        conn.info[_READ_IN_TRANSACTION] = set()
        if conn.get_execution_options().get("pp_write"):
            counted.write_transactions += 1

    event.listen(engine, "before_cursor_execute", on_statement)
    event.listen(engine, "begin", on_begin)
    try:
        yield counted
    finally:
        event.remove(engine, "before_cursor_execute", on_statement)
        event.remove(engine, "begin", on_begin)
