"""Starting instances: cases, projections, encryption at rest."""

from __future__ import annotations

import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from engine.errors import InvalidRequest, NotFound
from tests.conftest import ON_POSTGRES
from tests.integration.helpers import deploy_pathway, only_task


@pytest.fixture
def pathway(engine, tmp_path, people):
    deploy_pathway(engine, tmp_path / "wf")
    return people


def test_start_creates_a_case_with_a_friendly_reference(engine, pathway):
    first = engine.start("intake", actor=pathway["responder"])
    second = engine.start("intake", actor=pathway["responder"])
    assert (first.case_ref, second.case_ref) == ("PP-2026-000001", "PP-2026-000002")
    assert first.version == 1 and first.status == "running"


def test_a_new_pathway_can_join_an_existing_case(engine, pathway):
    first = engine.start("intake", actor=pathway["responder"])
    joined = engine.start("intake", actor=pathway["responder"], case_ref=first.case_ref)
    assert joined.case_ref == first.case_ref and joined.instance_id != first.instance_id
    with pytest.raises(NotFound):
        engine.start("intake", actor=pathway["responder"], case_ref="PP-2026-999999")
    with pytest.raises(InvalidRequest):
        engine.start("intake", actor=pathway["responder"], case_ref="'; drop table x; --")
    with pytest.raises(NotFound):
        engine.start("no_such_pathway", actor=pathway["responder"])


def test_user_task_projection_takes_role_from_lane(engine, pathway):
    started = engine.start("intake", actor=pathway["responder"])
    task = only_task(engine, pathway["responder"])
    assert (task.bpmn_id, task.title, task.role, task.form, task.case_ref, task.instance_id) == (
        "screen",
        "Screen the person",
        "first_responder",
        "intake.json",
        started.case_ref,
        started.instance_id,
    )
    assert engine.tasks_for(pathway["caseworker"]) == []
    assert len(engine.tasks_for(pathway["admin"])) == 1


def test_called_process_tasks_take_the_call_activity_lane_and_due_date(engine, pathway, clock):
    engine.start("intake", actor=pathway["responder"])
    screen = only_task(engine, pathway["responder"])
    engine.complete_task(
        screen.id, actor=pathway["responder"], answers={"name": "A", "presumed": True}
    )
    reflection = engine.timers(actor="admin")
    assert [(t.name, t.kind, t.due_at) for t in reflection] == [
        ("Reflection period", "duration", clock.now() + timedelta(days=30))
    ]
    clock.advance(days=30, seconds=1)
    engine.fire_due_timers()
    visit = only_task(engine, pathway["caseworker"])
    assert (visit.bpmn_id, visit.role, visit.process_key) == ("record_visit", "caseworker", "visit")
    # Due five days after the call activity started, which was when the reflection period ended.
    assert visit.due_at == reflection[0].due_at + timedelta(days=5)
    assert [t.name for t in engine.timers(actor="admin")] == ["follow_up_due"]


def test_start_data_flows_to_tasks(engine, pathway):
    started = engine.start(
        "intake", actor=pathway["responder"], data={"presumed": True, "name": "B"}
    )
    task = only_task(engine, pathway["responder"])
    # The form's answers are still required even though start data pre-filled the same keys.
    engine.complete_task(
        task.id, actor=pathway["responder"], answers={"name": "B", "presumed": True}
    )
    assert [t.name for t in engine.timers(actor="admin")] == ["Reflection period"]
    assert engine.history(started.instance_id, actor="admin")[0].action == "instance:started"


@pytest.mark.skipif(ON_POSTGRES, reason="reads the SQLite file directly")
def test_the_database_file_holds_no_plaintext_names_or_answers(engine, pathway, settings):
    engine.start("intake", actor=pathway["responder"], data={"name": "Zarina Oumarova-Start"})
    task = only_task(engine, pathway["responder"])
    engine.complete_task(
        task.id,
        actor=pathway["responder"],
        answers={"name": "Zarina Oumarova", "date_of_birth": "2009-04-17", "presumed": True},
    )
    engine.close()
    path = settings.database_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = Path(path).read_bytes()
    # Control: the pseudonymous reference is stored in the clear, so this is the right file.
    assert b"PP-2026-000001" in raw
    for secret in (b"Zarina", b"Oumarova", b"2009-04-17"):
        assert secret not in raw


def test_stored_state_is_sealed_and_bound_to_its_row(engine, pathway):
    engine.start("intake", actor=pathway["responder"])
    engine.start("intake", actor=pathway["responder"])
    with engine.db.sa_engine.begin() as connection:
        blobs = dict(
            connection.execute(sa.text("SELECT instance_id, ciphertext FROM instance_state")).all()
        )
        assert all(bytes(blob).startswith(b"PP1") for blob in blobs.values())
        connection.execute(
            sa.text("UPDATE instance_state SET ciphertext = :c WHERE instance_id = 1"),
            {"c": blobs[2]},
        )
    task = next(t for t in engine.tasks_for(pathway["responder"]) if t.instance_id == 1)
    with pytest.raises(Exception, match="integrity check"):
        engine.complete_task(
            task.id, actor=pathway["responder"], answers={"name": "A", "presumed": False}
        )


def test_cases_started_at_once_get_every_number_of_the_year_once(engine, pathway):
    """The first case of a year creates the year's counter while others race to; each start
    then takes the next number with one statement that locks the counter until it commits."""
    refs: list[str] = []
    failures: list[BaseException] = []

    def start_three() -> None:
        try:
            for _ in range(3):
                refs.append(engine.start("intake", actor=pathway["responder"]).case_ref)
        except BaseException as err:  # reported by the assertion below
            failures.append(err)

    threads = [threading.Thread(target=start_three) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert sorted(refs) == [f"PP-2026-{n:06d}" for n in range(1, 19)]


def test_a_screening_marked_for_its_starter_is_theirs_at_once(web_engine):
    """Anyone may start a screening; the screening then waits in the starter's own inbox,
    claimed, whatever their roles. A task without the mark stays unclaimed."""
    started = web_engine.start("identification", actor="first_responder")
    (screening,) = web_engine.tasks_for("first_responder", case_ref=started.case_ref)
    assert (screening.bpmn_id, screening.assignee) == ("first_contact_screening", "first_responder")
    assert started.next_task_ids == [screening.id]
    referral = web_engine.start("child_referral", actor="child_protection_officer")
    opened = web_engine.tasks_for("admin", case_ref=referral.case_ref)
    assignees = [t.assignee for t in opened if t.instance_id == referral.instance_id]
    assert assignees and set(assignees) == {None}
