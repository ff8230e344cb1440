"""The statements a save sends are exactly the ones written, whatever parameters go with them."""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite

from engine.audit import chain
from engine.instances import facts, store
from engine.tasks.projection import COMPLETE_TASK

_FACTS = (None, facts.WRITE_FACTS, facts.FACTS_STILL_CURRENT)


def _parameter_names(statement) -> list[str]:
    return list(statement.compile(dialect=postgresql.dialect()).params)


def test_no_parameter_of_a_save_is_taken_for_a_column_to_set():
    """SQLAlchemy adds an execution parameter named like a column to the SET of every UPDATE
    in the statement, the parts of PostgreSQL's ``WITH`` included: a state's bytes named
    ``ciphertext`` once went into the case facts' row as well."""
    combined = [
        store._together(written, completing, lock_head)
        for written in _FACTS
        for completing in (False, True)
        for lock_head in (False, True)
    ] + [chain._append_moving_head(count) for count in (1, 2, 3)]
    alone = [
        store._WRITE_ROW,
        store._WRITE_STATE,
        facts.WRITE_FACTS,
        facts.FACTS_STILL_CURRENT,
        COMPLETE_TASK,
        chain._MOVE_HEAD,
    ]
    names = {name for statement in combined + alone for name in _parameter_names(statement)}
    for statement in combined:
        as_written = str(statement.compile(dialect=postgresql.dialect()))
        with_all = str(statement.compile(dialect=postgresql.dialect(), column_keys=list(names)))
        assert with_all == as_written
    for statement in alone:
        for dialect in (postgresql.dialect(), sqlite.dialect()):
            as_written = str(statement.compile(dialect=dialect))
            assert str(statement.compile(dialect=dialect, column_keys=list(names))) == as_written


def test_checking_fails_for_a_parameter_named_like_a_column():
    """The check above can fail: the old name of the state's bytes is taken into the facts'
    SET of a facts check (the bug it stands guard against)."""
    statement = store._together(facts.FACTS_STILL_CURRENT, False, False)
    as_written = str(statement.compile(dialect=postgresql.dialect()))
    with_old_name = statement.compile(dialect=postgresql.dialect(), column_keys=["ciphertext"])
    assert str(with_old_name) != as_written
