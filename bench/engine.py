"""What one task completion costs through the engine, against raw in-memory SpiffWorkflow.

Runs the shipped demo pathway (first contact -> one-week timer -> call activity with a visit
task and a script) N times:

* raw: SpiffWorkflow in memory, same specs and the same sandboxed script engine, no storage;
* engine: ``Engine.complete_task`` with persistence (decrypt, deserialize, validate the form,
  run, serialize, encrypt, projections, audit, commit) on SQLite and, with ``--postgres``, on
  PostgreSQL.

Prints median and p95 per completion and the ratio engine/raw measured in the same run.

    .venv/bin/python bench/engine.py [--n 200] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.util.task import TaskState  # noqa: E402

from engine.clock import FixedClock  # noqa: E402
from engine.config import PROJECT_ROOT, Settings  # noqa: E402

DEMO = PROJECT_ROOT / "tests" / "fixtures" / "demo"
from engine.crypto.keyring import Keyring, new_key  # noqa: E402
from engine.db.database import Database  # noqa: E402
from engine.runtime import Engine  # noqa: E402
from engine.spiff import serialization  # noqa: E402
from engine.spiff.clock_seam import using_clock  # noqa: E402
from engine.spiff.parsing import new_parser, parse_xml  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_bench_support import fresh_postgres, percentile  # noqa: E402

FIRST = {"contact_date": "2026-01-05", "summary": "seen at the station", "needs_follow_up": True}
VISIT = {"visit_date": "2026-01-14", "outcome": "doing_well"}


def raw_run(n: int) -> list[float]:
    source = (DEMO / "demo_referral.bpmn").read_bytes()
    parser = new_parser()
    parser.add_bpmn_xml(parse_xml(source, "demo_referral.bpmn"), "demo_referral.bpmn")
    spec = parser.get_spec("demo_referral")
    subs = parser.get_subprocess_specs("demo_referral")
    clock = FixedClock()
    costs = []
    with using_clock(clock):
        for _ in range(n):
            workflow = serialization.new_workflow(spec, subs)
            workflow.do_engine_steps()
            for answers in (FIRST, VISIT):
                if answers is VISIT:
                    clock.advance(days=8)
                    workflow.refresh_timers()
                    workflow.do_engine_steps()
                task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
                began = time.perf_counter()
                task.set_data(**answers)
                task.run()
                workflow.do_engine_steps()
                costs.append(time.perf_counter() - began)
    return costs


def engine_run(n: int, url: str | None, folder: Path) -> list[float]:
    clock = FixedClock()
    settings = Settings(var_dir=folder, database_url=url or f"sqlite:///{folder / 'bench.db'}")
    engine = Engine(
        settings,
        database=Database(settings.database_url),
        keyring=Keyring([new_key()]),
        clock=clock,
    )
    engine.upgrade_database()
    engine.add_user("fr", roles=["first_responder"])
    engine.add_user("cw", roles=["caseworker"])
    engine.deploy([DEMO], actor="system")
    costs = []
    for _ in range(n):
        started = engine.start("demo_referral", actor="fr")
        task = next(t for t in engine.tasks_for("fr", case_ref=started.case_ref))
        began = time.perf_counter()
        engine.complete_task(task.id, actor="fr", answers=FIRST)
        costs.append(time.perf_counter() - began)
        clock.advance(timedelta(days=8))
        engine.fire_due_timers()
        visit = next(t for t in engine.tasks_for("cw", case_ref=started.case_ref))
        began = time.perf_counter()
        engine.complete_task(visit.id, actor="cw", answers=VISIT)
        costs.append(time.perf_counter() - began)
    engine.close()
    return costs


def _growth(costs: list[float]) -> float:
    """How cost moves as the database fills: when the last tenth ran, ten times as many cases
    were stored as when the first tenth ran. About 1.0 means constant, 10 would be linear."""
    tenth = max(len(costs) // 10, 1)
    return statistics.median(costs[-tenth:]) / statistics.median(costs[:tenth])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--n", type=int, default=200, help="instances per backend (2 completions each)"
    )
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL; a fresh pp_bench database is made there"
    )
    parser.add_argument("--json", dest="json_path", help="also write results here")
    args = parser.parse_args()

    rows = []
    raw = raw_run(args.n)
    rows.append(("raw SpiffWorkflow (memory)", raw))
    with tempfile.TemporaryDirectory() as folder:
        rows.append(("engine on SQLite", engine_run(args.n, None, Path(folder))))
    if args.postgres:
        url = fresh_postgres(args.postgres)
        with tempfile.TemporaryDirectory() as folder:
            rows.append(("engine on PostgreSQL", engine_run(args.n, url, Path(folder))))

    raw_median = statistics.median(raw)
    print(f"task completion cost, {args.n} instances x 2 completions, demo_referral pathway")
    print(
        f"{'backend':30} {'median ms':>10} {'p95 ms':>10} {'x raw':>8} "
        f"{'growth':>8}  (growth: median of the last tenth / first tenth of the run)"
    )
    results = []
    for name, costs in rows:
        median, p95 = statistics.median(costs) * 1000, percentile(costs, 0.95) * 1000
        ratio = statistics.median(costs) / raw_median
        growth = _growth(costs)
        print(f"{name:30} {median:10.2f} {p95:10.2f} {ratio:8.1f} {growth:8.2f}")
        results.append(
            {
                "backend": name,
                "median_ms": median,
                "p95_ms": p95,
                "ratio_to_raw": ratio,
                "growth_last_over_first_tenth": growth,
            }
        )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
