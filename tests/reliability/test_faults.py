"""Faults in the middle of work: a killed process, a database that refuses writes, a dropped
connection. Each leaves the case either done or untouched, with a clear message, never half-done."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from engine.errors import StorageUnavailable
from engine.runtime import Engine
from tests.conftest import ON_POSTGRES
from tests.support.web import ADULT_SCREENING

CONSENT = {
    "language": "English",
    "interpreter_present": False,
    "consent_explained": True,
    "consent_services": True,
    "consent_disclosure": True,
    "consent_reporting": True,
}
DIE_AT_COMMIT = """
import json, os, sys
from sqlalchemy import event
from engine.runtime import Engine
engine = Engine()
@event.listens_for(engine.db.sa_engine, "commit")
def die(connection):
    os._exit(9)  # killed after the engine ran its steps, before the database commit
engine.complete_task(sys.argv[1], actor="caseworker", answers=json.loads(sys.argv[2]))
"""


@pytest.fixture
def consent_task(web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    return web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0]


def _open_ids(engine, case_ref):
    return sorted(t.bpmn_id for t in engine.tasks_for("caseworker", case_ref=case_ref))


def test_a_process_killed_before_commit_leaves_the_task_ready(web_engine, consent_task, cli_env):
    killed = subprocess.run(
        [sys.executable, "-c", DIE_AT_COMMIT, consent_task.id, json.dumps(CONSENT)],
        env=cli_env,
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert killed.returncode == 9, killed.stderr
    assert _open_ids(web_engine, consent_task.case_ref) == ["consent_to_referral"]
    assert web_engine.verify_audit(actor="admin").ok
    web_engine.complete_task(consent_task.id, actor="caseworker", answers=CONSENT)  # works after
    assert "consent_to_referral" not in _open_ids(web_engine, consent_task.case_ref)
    assert web_engine.verify_audit(actor="admin").ok


@pytest.mark.skipif(ON_POSTGRES, reason="SQLite file faults")
@pytest.mark.parametrize(
    "fault",
    ["PRAGMA query_only = ON", "PRAGMA max_page_count = 1"],
    ids=["read-only", "disk-full"],
)
def test_a_database_that_refuses_writes_gives_a_clear_error(web_engine, consent_task, fault):
    broken = Engine(web_engine.settings, keyring=web_engine.keyring, clock=web_engine.clock)
    if "max_page_count" in fault:
        with broken.db.sa_engine.connect() as connection:
            pages = connection.exec_driver_sql("PRAGMA page_count").scalar_one()
        fault = f"PRAGMA max_page_count = {pages}"

    @event.listens_for(broken.db.sa_engine, "connect")
    def refuse_writes(dbapi_connection, _record):
        dbapi_connection.execute(fault)

    broken.db.sa_engine.dispose()
    try:
        with pytest.raises(StorageUnavailable, match="Nothing was changed"):
            broken.complete_task(consent_task.id, actor="caseworker", answers=CONSENT)
    finally:
        broken.close()
    assert _open_ids(web_engine, consent_task.case_ref) == ["consent_to_referral"]
    assert web_engine.verify_audit(actor="admin").ok


@pytest.mark.postgres_only
def test_a_dropped_connection_is_replaced_on_the_next_request(web_engine, consent_task, client):
    assert web_engine.tasks_for("caseworker")
    with web_engine.db.sa_engine.connect() as connection:
        database = connection.exec_driver_sql("SELECT current_database()").scalar_one()
    admin = sa.create_engine(
        web_engine.db.sa_engine.url.set(database="postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = :name AND pid <> pg_backend_pid()"
            ),
            {"name": database},
        )
    admin.dispose()
    # A restart, or a firewall dropping connections, leaves them idle for longer than a ping
    # waits for: as if they had sat in the pool for a minute since their last use.
    later = web_engine.db.monotonic() + 60
    web_engine.db.monotonic = lambda: later
    assert [t.id for t in web_engine.tasks_for("caseworker")] == [consent_task.id]
    assert web_engine.db.pings >= 1
    assert client.get("/signin").status_code == 200
    web_engine.complete_task(consent_task.id, actor="caseworker", answers=CONSENT)
    assert web_engine.verify_audit(actor="admin").ok


@pytest.mark.postgres_only
def test_a_connection_in_use_is_not_pinged_and_an_idle_one_is(web_engine, consent_task):
    """A ping was a round trip before every command; now only an idle connection pays it."""
    now = [web_engine.db.monotonic()]
    web_engine.db.monotonic = lambda: now[0]
    web_engine.tasks_for("caseworker")
    before = web_engine.db.pings
    for _ in range(3):
        now[0] += 0.1
        web_engine.tasks_for("caseworker")
    assert web_engine.db.pings == before
    now[0] += 2
    web_engine.complete_task(consent_task.id, actor="caseworker", answers=CONSENT)
    assert web_engine.db.pings == before + 1
