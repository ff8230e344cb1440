"""The timer service: catch-up after downtime, retries into incidents, leases, the SQLite lock."""

from __future__ import annotations

from datetime import timedelta

import pytest
import sqlalchemy as sa

from engine.errors import PermissionDenied
from engine.timers.firing import RetryPolicy
from engine.timers.scheduler import TimerScheduler
from engine.timers.sweeper import Sweeper, SweepPolicy
from tests.conftest import ON_POSTGRES
from tests.integration import timer_pathways as tp


@pytest.fixture
def recovery(engine, tmp_path, people):
    tp.deploy(engine, tmp_path / "wf", "recovery", tp.recovery_text())
    return engine.start("recovery", actor=people["admin"])


def test_after_forty_days_down_every_missed_timer_fires_once_in_order(engine, recovery, clock):
    start = clock.now()
    clock.advance(days=40)
    result = engine.sweep_timers()
    assert [(f.bpmn_id, f.due_at - start) for f in result.fired] == [
        ("weekly_check_in", timedelta(days=7)),
        ("weekly_check_in", timedelta(days=14)),
        ("weekly_check_in", timedelta(days=21)),
        ("weekly_check_in", timedelta(days=28)),
        ("reflection", timedelta(days=30)),
    ]
    assert engine.sweep_timers().fired == []  # nothing fires twice
    events = [
        e
        for e in engine.history(recovery.instance_id, actor="admin")
        if e.action == "instance:timer:fired"
    ]
    assert [e.detail["late_seconds"] for e in events] == [
        float(timedelta(days=d).total_seconds()) for d in (33, 26, 19, 12, 10)
    ]
    assert engine.timers(actor="admin") == []


def test_a_poisoned_timer_backs_off_then_becomes_an_incident_without_blocking_others(
    engine, tmp_path, people, clock
):
    poisoned = tp.start_poisoned(engine, tmp_path / "p", people["admin"])
    tp.deploy(engine, tmp_path / "t", "tick", tp.tick_text())
    policy = SweepPolicy(retry=RetryPolicy(max_attempts=3, first_delay=timedelta(minutes=1)))
    healthy = [engine.start("tick", actor=people["admin"]) for _ in range(3)]
    clock.advance(days=1, seconds=1)

    first = engine.sweep_timers(policy=policy)
    assert len(first.fired) == 3 and len(first.failed) == 1 and first.incidents == []
    assert engine.sweep_timers(policy=policy).failed == []  # backing off: not retried yet
    clock.advance(minutes=1)
    assert len(engine.sweep_timers(policy=policy).failed) == 1
    clock.advance(minutes=2)  # second back-off doubles
    third = engine.sweep_timers(policy=policy)
    assert len(third.failed) == 1 and len(third.incidents) == 1

    [incident] = engine.incidents(actor="admin")
    assert (incident.instance_id, incident.bpmn_id, incident.attempts) == (
        poisoned.instance_id,
        "wait",
        3,
    )
    assert "missing_value" in incident.error
    assert [t.status for t in engine.timers(actor="admin")] == ["incident"]
    clock.advance(days=1)
    assert engine.sweep_timers(policy=policy).failed == []  # incidents wait for a person
    with engine.db.sa_engine.connect() as c:
        done = c.execute(
            sa.text("SELECT count(*) FROM process_instance WHERE status = 'completed'")
        ).scalar()
    assert done == len(healthy)
    actions = [e.action for e in engine.history(poisoned.instance_id, actor="admin")]
    assert actions == ["instance:started", "instance:incident:raised"]

    with pytest.raises(PermissionDenied):
        engine.retry_incident(incident.id, actor=people["caseworker"], reason="try again")
    engine.retry_incident(incident.id, actor=people["admin"], reason="data fixed upstream")
    assert engine.incidents(actor="admin") == []
    assert [t.status for t in engine.timers(actor="admin")] == ["waiting"]
    assert len(engine.sweep_timers(policy=policy).failed) == 1  # still broken: counted afresh
    assert engine.verify_audit(actor="admin").ok


def test_a_leased_timer_is_left_alone_until_its_lease_expires(engine, tmp_path, people, clock):
    tp.deploy(engine, tmp_path / "t", "tick", tp.tick_text())
    engine.start("tick", actor=people["admin"])
    clock.advance(days=2)
    crashed = Sweeper(
        engine.write, engine.services, owner="crashed", policy=SweepPolicy(lease=timedelta(hours=1))
    )
    assert len(crashed.claim(clock.now())) == 1  # ...and the scheduler dies before firing
    assert engine.sweep_timers().fired == []
    with engine.db.write() as session:  # the lease runs out (database clock)
        session.execute(
            sa.text("UPDATE timer SET lock_expires_at = :t"), {"t": "2000-01-01 00:00:00"}
        )
    assert len(engine.sweep_timers().fired) == 1
    # The crashed scheduler, were it to wake up, finds nothing left to fire.
    assert crashed.sweep(clock.now()).fired == []


def test_next_claimable_time_accounts_for_leases_and_back_off(engine, tmp_path, people, clock):
    tp.deploy(engine, tmp_path / "t", "tick", tp.tick_text())
    assert engine.next_timer_due() is None
    engine.start("tick", actor=people["admin"])
    due = engine.timers(actor="admin")[0].due_at
    assert engine.next_timer_due() == due


@pytest.mark.skipif(ON_POSTGRES, reason="the single-scheduler lock is for SQLite")
def test_only_one_scheduler_is_active_on_sqlite(engine):
    first, second = TimerScheduler(engine, owner="first"), TimerScheduler(engine, owner="second")
    assert first.hold_sqlite_lock()
    assert not second.hold_sqlite_lock()
    assert first.hold_sqlite_lock()  # renewal
    first.release_sqlite_lock()
    assert second.hold_sqlite_lock()
    assert not first.hold_sqlite_lock()
    second.release_sqlite_lock()


def test_in_process_commands_tell_the_scheduler_about_new_timers(engine, tmp_path, people):
    heard = []
    engine.add_timer_listener(heard.append)
    tp.deploy(engine, tmp_path / "t", "tick", tp.tick_text())
    engine.start("tick", actor=people["admin"])
    assert heard == [engine.timers(actor="admin")[0].due_at]
    engine.remove_timer_listener(heard.append)
