"""fire_due_timers: each due timer fires once, in its own transaction, as of its due time."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from tests.integration.helpers import deploy_pathway, only_task
from tests.support import bpmn as b

# Whole pathways moved, fired and completed: every save equals its state converted afresh.
pytestmark = pytest.mark.usefixtures("checked_saves")


def test_nothing_fires_before_it_is_due(engine, presumed, clock):
    clock.advance(days=29, hours=23)
    assert engine.fire_due_timers() == []
    assert [t.name for t in engine.timers(actor="admin")] == ["Reflection period"]


def test_a_due_timer_fires_once_and_is_audited_with_its_lateness(engine, presumed, clock, people):
    due = engine.timers(actor="admin")[0].due_at
    clock.set(due + timedelta(hours=2))
    fired = engine.fire_due_timers()
    assert [(f.name, f.late_seconds) for f in fired] == [("Reflection period", 7200.0)]
    assert engine.fire_due_timers() == []  # fired exactly once
    assert only_task(engine, people["caseworker"]).bpmn_id == "record_visit"
    event = [
        e
        for e in engine.history(presumed.instance_id, actor="admin")
        if e.action == "instance:timer:fired"
    ]
    assert [(e.actor, e.detail["bpmn_id"], e.detail["late_seconds"]) for e in event] == [
        ("system", "reflection", 7200.0)
    ]


def test_catch_up_fires_in_order_each_as_of_its_due_time(engine, presumed, clock, people):
    """After 40 days of downtime: the reflection timer, then the 5-day due timer it started."""
    reflection_due = engine.timers(actor="admin")[0].due_at
    clock.advance(days=40)
    fired = engine.fire_due_timers(clock.now())
    assert [f.bpmn_id for f in fired] == ["reflection", "follow_up_due"]
    assert fired[1].due_at == reflection_due + timedelta(days=5)
    assert only_task(engine, people["caseworker"]).due_at == reflection_due + timedelta(days=5)


def test_explicit_now_is_honoured(engine, presumed):
    due = engine.timers(actor="admin")[0].due_at
    assert engine.fire_due_timers(due - timedelta(seconds=1)) == []
    assert len(engine.fire_due_timers(due)) == 1


def test_a_failing_timer_is_recorded_and_does_not_stop_the_others(engine, people, tmp_path, clock):
    text = b.definitions(
        b.process(
            "brittle",
            b.start(),
            b.timer_catch("wait", '"P1D"'),
            b.script_task("boom", "x = 1 // 0"),
            b.end(),
            *b.chain("start", "wait", "boom", "end"),
        )
    )
    engine.deploy([b.write(tmp_path / "b", "brittle.bpmn", text)], actor="system")
    deploy_pathway(engine, tmp_path / "wf")
    engine.start("brittle", actor=people["admin"])
    engine.start("intake", actor=people["responder"], data={})
    task = only_task(engine, people["responder"])
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "A", "presumed": True}
    )
    clock.advance(days=31)
    fired = engine.fire_due_timers()
    assert [f.bpmn_id for f in fired] == ["reflection"]
    with engine.db.sa_engine.connect() as c:
        attempts, error = c.execute(
            sa.text("SELECT attempts, last_error FROM timer WHERE bpmn_id = 'wait'")
        ).one()
    assert attempts == 1 and "boom" in error


def test_suspended_instances_keep_their_timers_waiting(engine, presumed, clock, people):
    engine.suspend(presumed.instance_id, actor=people["admin"], reason="investigation")
    clock.advance(days=31)
    assert engine.fire_due_timers() == []
    assert [t.status for t in engine.timers(actor="admin")] == ["suspended"]
    engine.resume(presumed.instance_id, actor=people["admin"], reason="resumed")
    assert [f.bpmn_id for f in engine.fire_due_timers()] == ["reflection"]
