"""What a read session may do, and what it leaves the connection holding.

On PostgreSQL a read is a ``READ ONLY`` transaction that ends with ``COMMIT``. Ending it with
``ROLLBACK`` made psycopg drop every statement it had prepared on that connection: the web
pages and the scenario runner read between commands, so no statement was ever executed often
enough to be prepared, and every command paid for planning its statements again.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.instances.models import ProtectionCase
from tests.conftest import ON_POSTGRES


def _renamed_in_a_read(db, case_id: int) -> None:
    with db.read() as session:
        session.execute(
            sa.update(ProtectionCase).where(ProtectionCase.id == case_id).values(ref="CASE-X")
        )


def test_a_write_inside_a_read_never_lands(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    with three.db.read() as session:
        case_id = session.scalars(
            sa.select(ProtectionCase.id).where(ProtectionCase.ref == started.case_ref)
        ).one()
    if ON_POSTGRES:
        # Refused outright: the transaction is READ ONLY, so ending it with COMMIT is safe.
        with pytest.raises(sa.exc.DBAPIError, match="read-only transaction"):
            _renamed_in_a_read(three.db, case_id)
    else:
        _renamed_in_a_read(three.db, case_id)  # rolled back when the read ends
    with three.db.read() as session:
        assert session.get(ProtectionCase, case_id).ref == started.case_ref


def test_an_object_changed_in_a_read_is_dropped(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    with three.db.read() as session:
        case = session.scalars(
            sa.select(ProtectionCase).where(ProtectionCase.ref == started.case_ref)
        ).one()
        case_id = case.id
        case.ref = "CASE-X"  # say, for display; never flushed
    with three.db.read() as session:
        assert (
            session.scalars(sa.select(ProtectionCase.ref).where(ProtectionCase.id == case_id)).one()
            == started.case_ref
        )


@pytest.mark.postgres_only
def test_a_command_s_statements_stay_prepared_across_the_reads_between_commands(three, people):
    for _ in range(2):
        started = three.start("three_steps", actor=people["caseworker"])
        for _ in range(3):
            # A read before each completion, as a page or the API's next answer does.
            task = three.tasks_for(people["caseworker"], case_ref=started.case_ref)[0]
            three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
    with three.db.read() as session:
        prepared = session.execute(
            sa.text(
                "SELECT statement FROM pg_prepared_statements"
                " WHERE generic_plans + custom_plans > 0"
            )
        ).scalars()
        statements = [" ".join(s.split()) for s in prepared]
    # The task read of every completion: six runs, past psycopg's threshold of five.
    assert any("FROM process_instance JOIN protection_case" in s for s in statements), statements
