"""Moving running cases to a newer pathway version (engine/instances/migration.py).

The intake pathway of ``tests/integration/helpers.py``: screen, then a 30-day reflection
timer, then a follow-up visit (a called pathway) with a 5-day boundary timer.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.errors import ConflictError, InvalidRequest, PermissionDenied
from engine.instances import store
from tests.integration.helpers import only_task
from tests.support.intake_versions import deploy_intake

# Whole pathways moved, fired and completed: every save equals its state converted afresh.
pytestmark = pytest.mark.usefixtures("checked_saves")


@pytest.fixture
def v1(engine, people, tmp_path):
    deploy_intake(engine, tmp_path / "v1")
    return engine


def _waiting_on_reflection(engine, people, clock):
    """An instance screened today: its 30-day reflection timer is armed."""
    started = engine.start("intake", actor=people["responder"])
    (task,) = engine.tasks_for(people["responder"], case_ref=started.case_ref)
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
    )
    return started


def _state(engine, instance_id):
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT p.version, p.definition_id, p.pinned_json, s.ciphertext FROM process_instance p"
                " JOIN instance_state s ON s.instance_id = p.id WHERE p.id = :i"
            ),
            {"i": instance_id},
        ).one()


def _reflection_due(engine, instance_id):
    (timer,) = [t for t in engine.timers(actor="admin") if t.instance_id == instance_id]
    assert timer.bpmn_id == "reflection"
    return timer.due_at


def test_a_waiting_timer_keeps_its_day_and_the_new_step_follows_it(v1, people, clock, tmp_path):
    engine = v1
    day_0 = clock.now()
    started = _waiting_on_reflection(engine, people, clock)
    due = _reflection_due(engine, started.instance_id)
    assert due == day_0 + timedelta(days=30)
    clock.advance(days=12)
    deploy_intake(engine, tmp_path / "v2", safety_check=True)

    (line,) = engine.migration_plan("intake", 2, actor=people["coordinator"])
    assert (line.instance_id, line.from_version, line.to_version, line.can_migrate) == (
        started.instance_id,
        1,
        2,
        True,
    )
    assert line.as_dict()["case_ref"] == started.case_ref

    outcome = engine.migrate(
        "intake", 2, actor=people["coordinator"], reason="safety check after reflection"
    )
    assert outcome.as_dict() == {"migrated": [started.instance_id], "refused": []}
    assert _reflection_due(engine, started.instance_id) == due  # day 30, not day 42
    assert engine.migration_plan("intake", 2, actor=people["coordinator"]) == []

    clock.set(day_0 + timedelta(days=30) - timedelta(seconds=1))
    assert engine.fire_due_timers() == []  # not before
    clock.set(day_0 + timedelta(days=30))
    assert len(engine.fire_due_timers()) == 1  # on the day
    task = only_task(engine, people["caseworker"])
    assert (task.bpmn_id, task.title) == ("safety_check", "Check safety")
    engine.complete_task(task.id, actor=people["caseworker"], answers={"visit_notes": "safe"})
    assert only_task(engine, people["caseworker"]).bpmn_id == "record_visit"

    events = engine.history(started.instance_id, actor="admin")
    (moved,) = [e for e in events if e.action == "instance:migrated"]
    assert moved.actor == people["coordinator"]
    assert moved.detail["from_version"] == 1 and moved.detail["to_version"] == 2
    assert moved.detail["reason"] == "safety check after reflection"
    assert engine.verify_audit(actor="admin").ok


def test_an_open_task_keeps_its_id_assignee_and_draft(v1, people, clock, tmp_path):
    engine = v1
    started = engine.start("intake", actor=people["responder"])
    task = only_task(engine, people["responder"])
    engine.claim(task.id, actor=people["responder"])
    engine.save_draft(task.id, actor=people["responder"], answers={"name": "half typed"})
    deploy_intake(engine, tmp_path / "v2", safety_check=True)

    outcome = engine.migrate("intake", 2, actor=people["admin"], reason="fix")
    assert outcome.migrated == [started.instance_id]
    after = only_task(engine, people["responder"])
    assert (after.id, after.assignee) == (task.id, people["responder"])
    assert engine.task_details(task.id, actor=people["responder"]).draft == {"name": "half typed"}
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
    )
    assert _reflection_due(engine, started.instance_id) == clock.now() + timedelta(days=30)


def test_an_instance_whose_current_step_was_removed_is_refused_and_unchanged(
    v1, people, clock, tmp_path
):
    engine = v1
    at_screening = engine.start("intake", actor=people["responder"])
    waiting = _waiting_on_reflection(engine, people, clock)
    deploy_intake(engine, tmp_path / "v2", screening=False)
    before = _state(engine, at_screening.instance_id)

    plan = {line.instance_id: line for line in engine.migration_plan("intake", 2, actor="admin")}
    refused = plan[at_screening.instance_id]
    assert not refused.can_migrate
    assert refused.problems == ["its current step 'Screen the person' is not in version 2"]
    passed = plan[waiting.instance_id]
    assert passed.problems == [
        "its history holds the step 'Screen the person', which version 2 removed: the history"
        " would not fit the new diagram"
    ]

    outcome = engine.migrate("intake", 2, actor="admin", reason="no more screening")
    assert outcome.migrated == []
    assert {line.instance_id for line in outcome.refused} == {
        at_screening.instance_id,
        waiting.instance_id,
    }
    assert _state(engine, at_screening.instance_id) == before
    task = only_task(engine, people["responder"])
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "B", "presumed": False}
    )
    events = engine.history(at_screening.instance_id, actor="admin")
    assert not [e for e in events if e.action == "instance:migrated"]


def test_a_renamed_step_is_the_same_step(v1, people, clock, tmp_path):
    """SpiffWorkflow aligns a step whose id changed by its place in the diagram."""
    engine = v1
    started = engine.start("intake", actor=people["responder"])
    task = only_task(engine, people["responder"])
    deploy_intake(engine, tmp_path / "v2", screen_id="screen_person")
    assert engine.migrate("intake", 2, actor="admin", reason="ids").migrated == [
        started.instance_id
    ]
    after = only_task(engine, people["responder"])
    assert (after.id, after.bpmn_id) == (task.id, "screen_person")
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
    )
    assert _reflection_due(engine, started.instance_id) == clock.now() + timedelta(days=30)


def test_a_renamed_step_already_done_is_saved_under_its_new_name(v1, people, clock, tmp_path):
    """The finished screening is aligned with its renamed step: the saved state names the new
    step (a conversion kept from before the move must not bring the old name back)."""
    engine = v1
    started = _waiting_on_reflection(engine, people, clock)
    deploy_intake(engine, tmp_path / "v2", screen_id="screen_person")
    outcome = engine.migrate("intake", 2, actor="admin", reason="ids")
    assert outcome.migrated == [started.instance_id], outcome.as_dict()
    with engine.read() as session:
        loaded = store.load(session, engine.services, started.instance_id)
        names = {t.task_spec.bpmn_id for t in loaded.workflow.get_tasks()}
    assert "screen_person" in names and "screen" not in names
    clock.advance(timedelta(days=30))
    assert [t.bpmn_id for t in engine.fire_due_timers()] == ["reflection"]  # and it runs on


def test_only_named_instances_move_and_only_coordinators_move_them(v1, people, clock, tmp_path):
    engine = v1
    first = engine.start("intake", actor=people["responder"])
    second = engine.start("intake", actor=people["responder"])
    deploy_intake(engine, tmp_path / "v2", safety_check=True)
    with pytest.raises(PermissionDenied):
        engine.migration_plan("intake", 2, actor=people["caseworker"])
    with pytest.raises(PermissionDenied):
        engine.migrate("intake", 2, actor=people["caseworker"], reason="x")
    with pytest.raises(InvalidRequest, match="reason"):
        engine.migrate("intake", 2, actor=people["coordinator"], reason=" ")

    outcome = engine.migrate(
        "intake",
        2,
        actor=people["coordinator"],
        reason="one case first",
        instance_ids=[second.instance_id, 999_999],
    )
    assert outcome.migrated == [second.instance_id]
    assert [line.instance_id for line in outcome.refused] == [999_999]
    (left,) = engine.migration_plan("intake", 2, actor=people["coordinator"])
    assert left.instance_id == first.instance_id


def _race_completion_and_migration(engine, people, tmp_path, *, pause=None):
    started = engine.start("intake", actor=people["responder"])
    task = only_task(engine, people["responder"])
    deploy_intake(engine, tmp_path / "v2", safety_check=True)
    outcomes: dict[str, object] = {}
    go = threading.Barrier(2, timeout=20)

    def complete():
        go.wait()
        try:
            outcomes["complete"] = engine.complete_task(
                task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
            )
        except ConflictError as err:
            outcomes["complete"] = err

    def migrate():
        go.wait()
        outcomes["migrate"] = engine.migrate("intake", 2, actor="admin", reason="race")

    threads = [threading.Thread(target=complete), threading.Thread(target=migrate)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    if pause is not None:
        pause.undo()
    return started, task, outcomes


def _check_whole(engine, people, clock, *, race):
    started, task, outcomes = race
    """Whatever the order: the row names one version, the state loads on it, the task was
    completed at most once, and the trail verifies."""
    _, definition_id, _, _ = _state(engine, started.instance_id)
    migrated = outcomes["migrate"].migrated == [started.instance_id]
    with engine.db.sa_engine.connect() as c:
        live_version = c.execute(
            sa.text("SELECT version FROM process_definition WHERE id = :d"), {"d": definition_id}
        ).scalar()
    assert live_version == (2 if migrated else 1)
    with engine.db.read() as session:
        loaded = store.load(session, engine.services, started.instance_id, for_change=False)
        assert ("safety_check" in loaded.workflow.spec.task_specs) is migrated
    if isinstance(outcomes["complete"], ConflictError):
        assert only_task(engine, people["responder"]).id == task.id
    else:
        assert _reflection_due(engine, started.instance_id) == clock.now() + timedelta(days=30)
    events = engine.history(started.instance_id, actor="admin")
    assert len([e for e in events if e.action == "instance:task:completed"]) <= 1
    assert engine.verify_audit(actor="admin").ok


def test_a_completion_racing_a_migration_never_half_moves_the_instance(v1, people, clock, tmp_path):
    """On SQLite the second writer waits for the file's write lock and reads afresh."""
    _check_whole(v1, people, clock, race=_race_completion_and_migration(v1, people, tmp_path))


@pytest.mark.postgres_only
def test_a_completion_and_a_migration_reading_the_same_version_do_not_both_win(
    v1, people, clock, tmp_path, monkeypatch
):
    """Both load the same instance version before either writes: the version check makes
    the later one start again from a fresh read, on whatever the first one committed."""
    both_loaded = threading.Barrier(2, timeout=20)
    seen = threading.local()
    real_load = store.load

    def load_then_wait(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if kwargs.get("for_change", True) and not getattr(seen, "paused", False):
            seen.paused = True
            both_loaded.wait()
        return loaded

    monkeypatch.setattr(store, "load", load_then_wait)
    race = _race_completion_and_migration(v1, people, tmp_path, pause=monkeypatch)
    _check_whole(v1, people, clock, race=race)
