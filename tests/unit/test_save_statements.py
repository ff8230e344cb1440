"""The statements a save sends are exactly the ones written, whatever parameters go with them."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from engine.instances import facts, store


def _parameter_names(statement) -> list[str]:
    return list(statement.compile(dialect=postgresql.dialect()).params)


def test_no_parameter_of_a_save_is_taken_for_a_column_to_set():
    """SQLAlchemy adds an execution parameter named like a column to the SET of every UPDATE
    in the statement, the parts of PostgreSQL's ``WITH`` included: a state's bytes named
    ``ciphertext`` once went into the case facts' row as well."""
    combined = [*store._TOGETHER.values()]
    alone = [store._WRITE_ROW, store._WRITE_STATE, facts.WRITE_FACTS, facts.FACTS_STILL_CURRENT]
    names = {name for statement in combined + alone for name in _parameter_names(statement)}
    for statement in combined:
        as_written = str(statement.compile(dialect=postgresql.dialect()))
        with_all = str(statement.compile(dialect=postgresql.dialect(), column_keys=list(names)))
        assert with_all == as_written
    for statement in alone:
        for dialect in (postgresql.dialect(), sqlite.dialect()):
            as_written = str(statement.compile(dialect=dialect))
            assert str(statement.compile(dialect=dialect, column_keys=list(names))) == as_written
