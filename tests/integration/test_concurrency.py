"""Two writers on one instance: one wins, the loser gets a ConflictError naming the task, nothing is half-written."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from engine.errors import ConflictError
from engine.instances import store
from tests.integration.helpers import deploy_pathway, only_task


@pytest.fixture
def case(engine, tmp_path, people):
    deploy_pathway(engine, tmp_path / "wf")
    engine.add_user("responder2", roles=["first_responder"])
    started = engine.start("intake", actor=people["responder"])
    return started, only_task(engine, people["responder"])


def _pause_after_first_load(monkeypatch, parties: int) -> threading.Barrier:
    """Make each thread's first load wait for the others, so all read the same version."""
    barrier = threading.Barrier(parties, timeout=20)
    seen = threading.local()
    real_load = store.load

    def load_then_wait(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if not getattr(seen, "paused", False):
            seen.paused = True
            barrier.wait()
        return loaded

    monkeypatch.setattr(store, "load", load_then_wait)
    return barrier


def _race(*calls):
    with ThreadPoolExecutor(len(calls)) as pool:
        futures = [pool.submit(call) for call in calls]
    outcomes = []
    for future in futures:
        try:
            outcomes.append(future.result())
        except ConflictError as err:
            outcomes.append(err)
    return outcomes


def _completions(engine, task_id):
    with engine.db.sa_engine.connect() as c:
        return (
            c.execute(
                sa.text(
                    "SELECT actor FROM audit_event WHERE action = 'instance:task:completed' AND task_id = :t"
                ),
                {"t": task_id},
            )
            .scalars()
            .all()
        )


def _check_single_winner(engine, task, outcomes):
    conflicts = [o for o in outcomes if isinstance(o, ConflictError)]
    assert len(conflicts) == 1, outcomes
    assert conflicts[0].task_id == task.id
    assert "Screen the person" in conflicts[0].message
    winners = _completions(engine, task.id)
    assert len(winners) == 1
    with engine.db.sa_engine.connect() as c:
        completed_by = c.execute(
            sa.text("SELECT completed_by FROM human_task WHERE id = :t"), {"t": task.id}
        ).scalar()
    assert completed_by == winners[0]
    assert engine.verify_audit(actor="admin").ok


@pytest.mark.postgres_only
def test_threads_racing_on_postgres_hit_the_optimistic_lock(engine, people, case, monkeypatch):
    _, task = case
    _pause_after_first_load(monkeypatch, 2)
    outcomes = _race(
        lambda: engine.complete_task(
            task.id, actor="responder", answers={"name": "A", "presumed": True}
        ),
        lambda: engine.complete_task(
            task.id, actor="responder2", answers={"name": "B", "presumed": False}
        ),
    )
    _check_single_winner(engine, task, outcomes)


def test_two_sessions_racing_on_any_database(engine, people, case):
    """On SQLite the writers queue for the write lock; the second finds the task done."""
    _, task = case
    start = threading.Barrier(2, timeout=20)

    def complete(user, answers):
        start.wait()
        return engine.complete_task(task.id, actor=user, answers=answers)

    outcomes = _race(
        lambda: complete("responder", {"name": "A", "presumed": True}),
        lambda: complete("responder2", {"name": "B", "presumed": False}),
    )
    _check_single_winner(engine, task, outcomes)


@pytest.mark.postgres_only
def test_a_timer_firing_during_a_completion_is_retried_not_lost(
    engine, people, case, clock, monkeypatch
):
    started, task = case
    engine.complete_task(task.id, actor="responder", answers={"name": "A", "presumed": True})
    clock.advance(days=31)
    engine.fire_due_timers()  # reflection ends: the visit task and its 5-day due timer appear
    visit = only_task(engine, people["caseworker"])
    clock.advance(days=6)  # the due timer is now due too
    _pause_after_first_load(monkeypatch, 2)
    outcomes = _race(
        lambda: engine.complete_task(visit.id, actor="caseworker", answers={"visit_notes": "ok"}),
        engine.fire_due_timers,
    )
    assert not any(isinstance(o, ConflictError) for o in outcomes), outcomes
    assert _completions(engine, visit.id) == ["caseworker"]
    with engine.db.sa_engine.connect() as c:
        status = c.execute(
            sa.text("SELECT status FROM process_instance WHERE id = :i"), {"i": started.instance_id}
        ).scalar()
    assert status == "completed"
    assert engine.timers(actor="admin") == []
    assert engine.verify_audit(actor="admin").ok


@pytest.mark.postgres_only
def test_a_guard_that_read_facts_another_step_then_changed_is_re_evaluated(
    engine, tmp_path, monkeypatch
):
    """Write skew across a case's pathways: a return checked against facts that a concurrent
    step changes (the reflection period starts) must not commit on the stale read."""
    from tests.integration.test_rules import _deploy

    _deploy(engine, tmp_path)
    engine.add_user("ro", roles=["return_officer"])
    engine.add_user("cw", roles=["caseworker"])
    # The return pathway first, then a reflection pathway whose first step is a task.
    started = engine.start("return", actor="ro")
    schedule = only_task(engine, "ro")
    engine.add_user("boss", roles=["admin"])  # the caseworker joins the case's team first
    engine.add_case_member(started.case_ref, "cw", actor="boss", reason="recovery support")

    reflection_committed = threading.Event()
    returner_read = threading.Event()
    returner_loads = []
    seen = threading.local()
    real_save, real_load = store.save, store.load

    def load_and_tell(*args, **kwargs):
        loaded = real_load(*args, **kwargs)
        if threading.current_thread().name == "returner":
            returner_loads.append(loaded.facts.version)
            returner_read.set()
        return loaded

    def wait_then_save(*args, **kwargs):
        # The return step has read the facts and passed its guard; before it saves,
        # the reflection pathway starts and commits.
        if threading.current_thread().name == "returner" and not getattr(seen, "waited", False):
            seen.waited = True
            assert reflection_committed.wait(timeout=20)
        return real_save(*args, **kwargs)

    monkeypatch.setattr(store, "save", wait_then_save)
    monkeypatch.setattr(store, "load", load_and_tell)
    results = {}

    def schedule_return():
        try:
            engine.complete_task(schedule.id, actor="ro", answers={"departure": "2026-02-01"})
            results["return"] = "scheduled"
        except Exception as err:
            results["return"] = err

    def start_reflection():
        assert returner_read.wait(timeout=20)
        engine.start("reflection", actor="cw", case_ref=started.case_ref)
        reflection_committed.set()

    returner = threading.Thread(target=schedule_return, name="returner")
    reflector = threading.Thread(target=start_reflection, name="reflector")
    returner.start()
    reflector.start()
    returner.join(60)
    reflector.join(60)
    assert isinstance(results["return"], Exception), results
    assert "reflection period" in str(results["return"])
    assert (
        len(returner_loads) == 2 and returner_loads[0] < returner_loads[1]
    )  # retried on fresh facts
    assert engine.verify_audit(actor="boss").ok
