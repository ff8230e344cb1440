"""The README's CLI tour against a real database, in process through Click's runner (one
test below runs the command as a process of its own, as an operator would).

deploy -> start -> tasks -> complete (bad data refused, nothing changed) -> timers fire at a
simulated date -> history -> audit verify OK; then tamper with an audit row through raw SQL
and watch ``audit verify`` name it.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.db.database import normalise_url
from tests.conftest import ON_POSTGRES
from tests.support.cli import invoke_pathways, run_pathways

DEMO = Path(__file__).resolve().parent.parent / "fixtures" / "demo"


@pytest.fixture
def pathways(cli_env):
    env = cli_env

    def run(*args: str, expect: int = 0, stdin: str | None = None) -> subprocess.CompletedProcess:
        result = invoke_pathways(env, *args, stdin=stdin)
        assert result.returncode == expect, (args, result.stdout, result.stderr)
        return result

    return run


def _json(result: subprocess.CompletedProcess):
    return json.loads(result.stdout)


def test_the_cli_tour(pathways, database_url):
    # The test database comes migrated from a template: nothing to do, and it says so.
    assert pathways("db", "upgrade").stdout.startswith("database is up to date (schema ")
    pathways("users", "add", "ana", "--role", "First responder")
    pathways("users", "add", "ben", "--role", "caseworker", "--role", "supervisor")
    pathways("users", "add", "ada", "--role", "admin")
    pathways(
        "users",
        "add",
        "cleo",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin="a good long password\n",
    )

    deployed = _json(pathways("deploy", str(DEMO), "--as", "cleo", "--json"))
    assert {(d["process_key"], d["version"], d["changed"]) for d in deployed} == {
        ("demo_referral", 1, True),
        ("demo_follow_up", 1, True),
    }
    again = _json(pathways("deploy", str(DEMO), "--as", "cleo", "--json"))
    assert not any(d["changed"] for d in again)
    assert "demo_referral" in pathways("definitions").stdout

    started = _json(pathways("start", "demo_referral", "--as", "ana", "--json"))
    assert started["case_ref"].startswith("PP-")
    tasks = _json(pathways("tasks", "--as", "ana", "--json"))
    assert len(tasks) == 1
    task = tasks[0]
    for key in (
        "id",
        "bpmn_id",
        "title",
        "case_ref",
        "instance_id",
        "role",
        "assignee",
        "due_at",
        "form",
    ):
        assert key in task
    assert (task["role"], task["form"]) == ("first_responder", "demo_first_contact.json")

    refused = pathways(
        "complete", task["id"], "--as", "ana", "--data", '{"needs_follow_up": "yes"}', expect=2
    )
    assert "contact_date: This answer is required." in refused.stderr
    assert "needs_follow_up: Choose yes or no." in refused.stderr
    refused_json = pathways(
        "complete", task["id"], "--as", "ana", "--data", "{}", "--json", expect=2
    )
    assert json.loads(refused_json.stderr)["error"] == "validation_failed"
    assert _json(pathways("tasks", "--as", "ana", "--json"))[0]["id"] == task["id"]
    pathways("complete", task["id"], "--as", "ben", "--data", "{}", expect=4)  # not ben's role

    answers = {
        "contact_date": "2026-11-28",
        "summary": "Met at the bus station",
        "needs_follow_up": True,
    }
    pathways("complete", task["id"], "--as", "ana", "--data", json.dumps(answers))
    pathways(
        "complete", task["id"], "--as", "ana", "--data", json.dumps(answers), expect=5
    )  # conflict

    timers = _json(pathways("timers", "list", "--as", "ada", "--json"))
    assert [t["name"] for t in timers] == ["One week"]
    fired = _json(pathways("timers", "fire", "--now", "2099-01-01T00:00:00Z", "--json"))
    assert [f["bpmn_id"] for f in fired] == ["wait_a_week", "visit_due"]

    visit = _json(pathways("tasks", "--as", "ben", "--json"))[0]
    assert (visit["title"], visit["role"]) == ("Record the visit", "caseworker")
    pathways("claim", visit["id"], "--as", "ben")
    pathways(
        "complete",
        visit["id"],
        "--as",
        "ben",
        "--data",
        '{"visit_date": "2099-01-02", "outcome": "doing_well"}',
    )

    history = _json(pathways("history", str(started["instance_id"]), "--as", "ada", "--json"))
    assert [h["action"] for h in history] == [
        "instance:started",
        "instance:task:completed",
        "instance:timer:fired",
        "instance:timer:fired",
        "instance:task:claimed",
        "instance:task:completed",
        "instance:completed",
    ]
    verified = pathways("audit", "verify", "--as", "ada")
    assert verified.stdout.startswith("OK:")

    engine = sa.create_engine(normalise_url(database_url))
    with engine.begin() as connection:
        if ON_POSTGRES:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update_delete ON audit_event")
        else:
            connection.exec_driver_sql("DROP TRIGGER audit_event_no_update")
        connection.exec_driver_sql("UPDATE audit_event SET actor = 'mallory' WHERE seq = 9")
        row_id = connection.exec_driver_sql("SELECT id FROM audit_event WHERE seq = 9").scalar()
    engine.dispose()
    broken = pathways("audit", "verify", "--as", "ada", expect=1)
    assert f"BROKEN at event seq 9 (row id {row_id})" in broken.stderr
    assert "verified intact up to event 8" in broken.stderr


def test_unknown_ids_and_bad_json_fail_cleanly(pathways):
    pathways("db", "upgrade")
    pathways("users", "add", "ana", "--role", "caseworker")
    pathways("users", "add", "ada", "--role", "admin")
    assert "no task" in pathways("complete", "nope", "--as", "ana", "--data", "{}", expect=4).stderr
    assert "no user" in pathways("tasks", "--as", "nobody", expect=4).stderr
    assert (
        "not valid JSON" in pathways("complete", "x", "--as", "ana", "--data", "{", expect=2).stderr
    )
    assert "no deployed process" in pathways("start", "nothing", "--as", "ana", expect=4).stderr
    assert "no history" in pathways("history", "99", "--as", "ada", expect=4).stderr
    assert "administrators" in pathways("history", "99", "--as", "ana", expect=3).stderr


def test_an_unmigrated_database_gets_a_plain_message(cli_env, tmp_path):
    env = dict(cli_env, DATABASE_URL=f"sqlite:///{tmp_path / 'empty.db'}")
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", "definitions"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert "run `pathways db upgrade`" in result.stderr
    created = run_pathways(env, "db", "upgrade")
    assert created.stdout.startswith("database created at schema "), created.stdout
    assert "Traceback" not in result.stderr


def test_demo_seed_creates_users_and_a_few_cases_once(pathways):
    pathways("deploy")
    first = pathways("demo", "seed", "--force")
    assert "first_responder" in first.stdout and "pathways-demo" in first.stdout
    # Each demo case is named by its reference, so the operator can open it at once.
    assert len(re.findall(r"demo case PP-\d{4}-\d{6}: ", first.stdout)) == 3, first.stdout
    second = pathways("demo", "seed", "--force")
    assert "demo case PP" not in second.stdout and "exist already" in second.stdout
    tasks = _json(pathways("tasks", "--as", "caseworker", "--json"))
    assert {t["bpmn_id"] for t in tasks} >= {"consent_to_referral", "safety_risk_plan"}
