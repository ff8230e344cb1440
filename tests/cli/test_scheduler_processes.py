"""The timer service as real processes: two schedulers, a killed scheduler, and latency."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from engine.db.database import normalise_url
from engine.timers.models import Timer
from tests.integration import timer_pathways as tp

CLI = [sys.executable, "-m", "webapp.cli"]


def _audit(database_url: str, sql: str):
    eng = sa.create_engine(normalise_url(database_url))
    try:
        with eng.connect() as connection:
            return connection.execute(sa.text(sql)).all()
    finally:
        eng.dispose()


def _ticks(engine, tmp_path, people, count: int) -> None:
    tp.deploy(engine, tmp_path / "t", "tick", tp.tick_text())
    for _ in range(count):
        engine.start("tick", actor=people["admin"])


@pytest.mark.postgres_only
def test_two_schedulers_fire_a_thousand_timers_exactly_once(
    engine, tmp_path, people, cli_env, database_url
):
    # The engine's clock is in January 2026: these timers are long overdue in real time.
    _ticks(engine, tmp_path, people, 1000)
    runs = [
        subprocess.Popen(
            [*CLI, "scheduler", "--once", "--json"],
            env=cli_env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    outputs = [run.communicate(timeout=600) for run in runs]
    assert all(run.returncode == 0 for run in runs), outputs
    fired = [f["timer_id"] for out, _ in outputs for f in json.loads(out)["fired"]]
    assert len(fired) == 1000
    assert len(set(fired)) == 1000
    rows = _audit(
        database_url, "SELECT task_id FROM audit_event WHERE action = 'instance:timer:fired'"
    )
    assert sorted(r[0] for r in rows) == sorted(fired)
    states = _audit(database_url, "SELECT status, count(*) FROM process_instance GROUP BY status")
    assert states == [("completed", 1000)]
    assert _audit(database_url, "SELECT count(*) FROM timer") == [(0,)]
    assert engine.verify_audit(actor="admin").ok


CLAIM_AND_HANG = """
import sys, time
from datetime import timedelta
from engine.runtime import Engine
from engine.timers.sweeper import Sweeper, SweepPolicy
engine = Engine()
sweeper = Sweeper(engine.write, engine.services, owner="doomed", policy=SweepPolicy(lease=timedelta(hours=1)))
print(len(sweeper.claim(engine.clock.now())), flush=True)
time.sleep(120)
"""


def test_a_killed_scheduler_s_leases_expire_and_another_fires_them(
    engine, tmp_path, people, cli_env, database_url
):
    """A process claims five timers for an hour and is killed before firing any. Leases are
    measured in the database's time (schedulers on several machines share it), so the hour
    passes by moving the leases' ends back, as the database's clock would: nothing sleeps, and
    nothing races a process's start-up on the wall clock."""
    _ticks(engine, tmp_path, people, 5)
    with subprocess.Popen(
        [sys.executable, "-c", CLAIM_AND_HANG], env=cli_env, stdout=subprocess.PIPE, text=True
    ) as doomed:
        assert doomed.stdout.readline().strip() == "5"  # it holds five leases...
        doomed.send_signal(signal.SIGKILL)  # ...and dies without firing anything
        doomed.wait(timeout=30)

    real_now = datetime.now(UTC)  # what the doomed process saw: the timers are due
    assert engine.fire_due_timers(real_now) == []  # the leases still hold
    (leased,) = _audit(database_url, "SELECT count(*) FROM timer WHERE lock_owner = 'doomed'")
    assert leased == (5,)
    timers = Timer.__table__
    with engine.db.sa_engine.begin() as connection:  # typed columns: the stored time format
        for timer_id, ends in connection.execute(
            sa.select(timers.c.id, timers.c.lock_expires_at).where(timers.c.lock_owner == "doomed")
        ).all():
            connection.execute(
                sa.update(timers)
                .where(timers.c.id == timer_id)
                .values(lock_expires_at=ends - timedelta(hours=2))
            )
    assert len(engine.fire_due_timers(real_now)) == 5  # expired: another scheduler fires them
    assert engine.fire_due_timers(real_now) == []  # once


@pytest.mark.skipif(
    "DATABASE_URL" in __import__("os").environ,
    reason="the latency promise is tested on the embedded default",
)
def test_pathways_serve_fires_a_timer_within_a_second_of_it_falling_due(tmp_path, cli_env):
    """Real time, on purpose: the one test of the live service's latency."""
    folder = tmp_path / "latency"
    from tests.support import bpmn

    bpmn.write(folder, "tick.bpmn", tp.tick_text('"PT2S"'))
    for args in (
        ["db", "upgrade"],
        ["users", "add", "ops", "--role", "admin"],
        ["deploy", str(folder)],
    ):
        subprocess.run([*CLI, *args], env=cli_env, check=True, capture_output=True, timeout=120)
    serve = subprocess.Popen(
        [*CLI, "serve", "--safety-interval", "0.5"],
        env=cli_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert "timers are running" in _read_until(serve, "timers are running")
        subprocess.run(
            [*CLI, "start", "tick", "--as", "ops"],
            env=cli_env,
            check=True,
            capture_output=True,
            timeout=60,
        )
        url = cli_env["DATABASE_URL"]
        deadline = time.monotonic() + 15
        rows = []
        while not rows and time.monotonic() < deadline:
            time.sleep(0.2)
            rows = _audit(
                url,
                "SELECT occurred_at, detail_json FROM audit_event WHERE action = 'instance:timer:fired'",
            )
        assert rows, "the timer never fired"
        occurred_at, detail = rows[0]
        fired_at = (
            occurred_at
            if isinstance(occurred_at, datetime)
            else datetime.fromisoformat(occurred_at)
        )
        due_at = datetime.fromisoformat(json.loads(detail)["due_at"])
        lateness = (fired_at.replace(tzinfo=UTC) - due_at).total_seconds()
        print(f"timer fired {lateness:.3f} s after falling due")
        assert 0 <= lateness < 1.0, lateness
    finally:
        serve.send_signal(signal.SIGINT)
        output, _ = serve.communicate(timeout=30)
    assert serve.returncode == 0, output
    assert "stopped" in output


def _read_until(process: subprocess.Popen, marker: str, timeout: float = 60) -> str:
    seen = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if marker in line:
            break
    return "".join(seen)
