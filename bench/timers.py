"""Timer throughput and lateness, on SQLite and PostgreSQL.

1. burst: N timers all fall due at the same instant; one sweeper drains them. Prints timers/s
   and the lateness (time from falling due to firing, queueing included) at p50/p99.
2. live: M timers falling due spread over a few seconds of real time, fired by the always-on
   TimerScheduler (APScheduler, wake at next due). Prints lateness p50/p99/max.

    .venv/bin/python bench/timers.py [--n 10000] [--m 500] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from engine.config import Settings
from engine.crypto.keyring import Keyring, new_key
from engine.db.database import Database
from engine.runtime import Engine
from engine.timers.scheduler import TimerScheduler

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_bench_support import fresh_postgres, percentile

TICK = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  id="d" targetNamespace="t">
  <bpmn:process id="tick_{tag}" isExecutable="true">
    <bpmn:startEvent id="s"/>
    <bpmn:intermediateCatchEvent id="wait" name="Tick">
      <bpmn:timerEventDefinition><bpmn:timeDate>{expression}</bpmn:timeDate></bpmn:timerEventDefinition>
    </bpmn:intermediateCatchEvent>
    <bpmn:endEvent id="e"/>
    <bpmn:sequenceFlow id="f1" sourceRef="s" targetRef="wait"/>
    <bpmn:sequenceFlow id="f2" sourceRef="wait" targetRef="e"/>
  </bpmn:process>
</bpmn:definitions>
"""


class OffsetClock:
    """Real time shifted by a settable offset, so a backlog can be made due at a chosen instant."""

    def __init__(self) -> None:
        self.offset = timedelta()

    def now(self) -> datetime:
        return datetime.now(UTC) + self.offset


def make_engine(url: str | None, folder: Path, clock) -> Engine:
    settings = Settings(var_dir=folder, database_url=url or f"sqlite:///{folder / 'timers.db'}")
    engine = Engine(
        settings,
        database=Database(settings.database_url),
        keyring=Keyring([new_key()]),
        clock=clock,
    )
    engine.upgrade_database()
    engine.add_user("ops", roles=["admin"])
    return engine


def deploy(engine: Engine, folder: Path, tag: str, expression: str) -> str:
    path = folder / f"tick_{tag}.bpmn"
    path.write_text(TICK.format(tag=tag, expression=expression))
    engine.deploy([path], actor="system")
    return f"tick_{tag}"


def burst(n: int, url: str | None, folder: Path) -> dict:
    clock = OffsetClock()
    engine = make_engine(url, folder, clock)
    due = datetime(2030, 1, 1, tzinfo=UTC)
    key = deploy(engine, folder, "burst", f'"{due.isoformat()}"')
    for _ in range(n):
        engine.start(key, actor="ops")
    clock.offset = due - datetime.now(UTC)  # from now on the whole backlog is due
    began = time.perf_counter()
    result = engine.sweep_timers()
    elapsed = time.perf_counter() - began
    late = [f.late_seconds for f in result.fired]
    engine.close()
    assert len(late) == n, (len(late), n)
    return {
        "timers": n,
        "seconds": elapsed,
        "per_second": n / elapsed,
        "late_p50_s": percentile(late, 0.5),
        "late_p99_s": percentile(late, 0.99),
    }


def live(m: int, url: str | None, folder: Path, spread_s: float = 5.0) -> dict:
    engine = make_engine(url, folder, OffsetClock())
    key = deploy(engine, folder, "live", "add_days(now(), 0) if False else start_at")
    scheduler = TimerScheduler(engine, safety_interval=1.0)
    lead = max(5.0, m * 0.02)  # time to create them all before the first falls due
    first = datetime.now(UTC) + timedelta(seconds=lead)
    scheduler.start()
    try:
        for i in range(m):
            at = first + timedelta(seconds=spread_s * i / max(m - 1, 1))
            engine.start(key, actor="ops", data={"start_at": at.isoformat()})
        deadline = time.monotonic() + lead + spread_s + 30
        while time.monotonic() < deadline and engine.timers(actor="ops"):
            time.sleep(0.2)
    finally:
        scheduler.stop()
    with engine.db.read() as session:
        from sqlalchemy import text

        rows = session.execute(
            text("SELECT detail_json FROM audit_event WHERE action = 'instance:timer:fired'")
        ).all()
    engine.close()
    late = [json.loads(r[0])["late_seconds"] for r in rows]
    return {
        "timers": m,
        "fired": len(late),
        "late_p50_s": percentile(late, 0.5),
        "late_p99_s": percentile(late, 0.99),
        "late_max_s": max(late) if late else None,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=10_000, help="timers in the burst")
    parser.add_argument("--m", type=int, default=500, help="timers for the live scheduler")
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL; a fresh pp_bench database is made there"
    )
    parser.add_argument("--json", dest="json_path")
    args = parser.parse_args()

    backends = [("SQLite", None)] + ([("PostgreSQL", args.postgres)] if args.postgres else [])
    results = []
    for name, server in backends:
        with tempfile.TemporaryDirectory() as folder:
            url = fresh_postgres(server) if server else None
            row = {"backend": name, "burst": burst(args.n, url, Path(folder))}
        with tempfile.TemporaryDirectory() as folder:
            url = fresh_postgres(server) if server else None
            row["tenth"] = burst(max(args.n // 10, 1), url, Path(folder))
        with tempfile.TemporaryDirectory() as folder:
            url = fresh_postgres(server) if server else None
            row["live"] = live(args.m, url, Path(folder))
        results.append(row)

    print(
        f"{'backend':12} {'burst n':>8} {'timers/s':>9} {'late p50':>9} {'late p99':>9} "
        f"{'n/10 /s':>8} {'growth':>7} | "
        f"{'live n':>6} {'late p50':>9} {'late p99':>9} {'late max':>9}"
    )
    for row in results:
        b, lv, t = row["burst"], row["live"], row["tenth"]
        # Cost per timer at n over cost per timer at n/10: 1.0 = constant, 10 = linear.
        row["growth_per_timer"] = t["per_second"] / b["per_second"]
        print(
            f"{row['backend']:12} {b['timers']:8d} {b['per_second']:9.0f} {b['late_p50_s']:8.2f}s "
            f"{b['late_p99_s']:8.2f}s {t['per_second']:8.0f} {row['growth_per_timer']:7.2f} | "
            f"{lv['fired']:6d} {lv['late_p50_s']:8.3f}s "
            f"{lv['late_p99_s']:8.3f}s "
            f"{lv['late_max_s']:8.3f}s"
        )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
