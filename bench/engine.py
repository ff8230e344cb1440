"""What one task completion costs through the engine, against raw in-memory SpiffWorkflow.

Runs the scenario ``child_identification_return_four_check_ins`` (identification of a presumed
child -> child referral with guardian, age assessment and best-interests determination ->
assistance and verification -> return -> four post-return check-ins: 28 completions, timers
fired in between) N times:

* raw: SpiffWorkflow in memory, the same shipped specs, the same sandboxed script engine and
  case facts, no storage, no validation, no audit;
* engine: the scenario runner's ``Engine.complete_task`` with persistence (decrypt,
  deserialize, validate the form, guards, run, serialize, encrypt, projections, audit, commit)
  on SQLite and, with ``--postgres``, on PostgreSQL; each with the worker's workflow cache
  (the default: consecutive steps skip decrypting and deserializing) and without it.

Prints median and p95 per completion, the ratio engine/raw measured in the same run (each
engine against the raw runs just before and after it), and how the cost moves as the
database fills (last tenth of the run against the first).

    .venv/bin/python bench/engine.py [--n 50] [--postgres postgresql://postgres@127.0.0.1/test]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from SpiffWorkflow.util.task import TaskState

from engine.clock import FixedClock
from engine.config import CONFIG_DIR, PROJECT_ROOT, Settings
from engine.crypto.keyring import Keyring, new_key
from engine.db.database import Database
from engine.runtime import Engine
from engine.scenarios.model import Scenario, load, parse_duration
from engine.scenarios.runner import Run
from engine.scripting.case_facts import CaseFacts
from engine.spiff import serialization, stepping
from engine.spiff.parsing import new_parser, parse_xml
from engine.timers.calendar import BusinessCalendar

sys.path.insert(0, str(Path(__file__).resolve().parent))
from engine_bench_support import fresh_postgres, percentile

SCENARIO = (
    PROJECT_ROOT / "workflows" / "scenarios" / "child_identification_return_four_check_ins.yaml"
)


def _specs(scenario: Scenario) -> dict:
    parser = new_parser()
    for path in sorted((PROJECT_ROOT / "workflows").glob("*.bpmn")):
        parser.add_bpmn_xml(parse_xml(path.read_bytes(), path.name), path.name)
    keys = {step.target for step in scenario.steps if step.kind == "start"}
    return {key: (parser.get_spec(key), parser.get_subprocess_specs(key)) for key in keys}


def _ready(workflows: dict, bpmn_id: str):
    for workflow in workflows.values():
        for task in workflow.get_tasks(state=TaskState.READY, manual=True):
            if task.task_spec.bpmn_id == bpmn_id:
                return workflow, task
    raise LookupError(f"no ready task {bpmn_id}")


def raw_run(n: int, scenario: Scenario) -> list[float]:
    """The scenario's starts, completions and waits on in-memory workflows; checks skipped."""
    specs = _specs(scenario)
    calendar = BusinessCalendar.from_file(CONFIG_DIR / "calendar.json")
    costs = []
    for _ in range(n):
        clock = FixedClock(scenario.start_at)
        step = stepping.StepContext(clock, calendar, CaseFacts())
        workflows: dict = {}
        for item in scenario.steps:
            if item.kind == "start":
                workflow = serialization.new_workflow(*specs[item.target])
                stepping.start(workflow, step, item.options.get("data") or {})
                workflows[item.target] = workflow
            elif item.kind == "complete":
                workflow, task = _ready(workflows, item.target)
                began = time.perf_counter()
                stepping.complete(workflow, task, item.options.get("answers", {}), step)
                costs.append(time.perf_counter() - began)
            elif item.kind == "wait":
                clock.advance(parse_duration(item.target))
                for workflow in workflows.values():
                    stepping.fire_due(workflow, step, clock.now())
    return costs


class TimedRun(Run):
    """The scenario runner, timing only the engine call of each completion."""

    costs: list[float]

    def _complete(self, step) -> None:
        task_id = self._task_id(step)
        began = time.perf_counter()
        self.engine.complete_task(
            task_id, actor=step.options.get("as", "admin"), answers=step.options.get("answers", {})
        )
        self.costs.append(time.perf_counter() - began)


def engine_run(
    n: int, url: str | None, folder: Path, scenario: Scenario, *, cache: bool = True
) -> list[float]:
    clock = FixedClock()
    settings = Settings(
        var_dir=folder,
        database_url=url or f"sqlite:///{folder / 'bench.db'}",
        **({} if cache else {"workflow_cache_bytes": 0}),
    )
    engine = Engine(
        settings,
        database=Database(settings.database_url),
        keyring=Keyring([new_key()]),
        clock=clock,
    )
    engine.upgrade_database()
    engine.deploy(actor="system")
    costs: list[float] = []
    for _ in range(n):
        run = TimedRun(engine, clock, scenario)
        run.costs = costs
        run.run()
    engine.close()
    return costs


def cache_memory(folder: Path, scenario: Scenario, runs: int = 5) -> tuple[int, int, int]:
    """(workflows kept, their weight as the cache counts it, Python memory they hold): the
    scenario run ``runs`` times on a fresh engine, then the cache emptied under tracemalloc."""
    import gc
    import tracemalloc

    clock = FixedClock()
    settings = Settings(var_dir=folder, database_url=f"sqlite:///{folder / 'memory.db'}")
    engine = Engine(settings, keyring=Keyring([new_key()]), clock=clock)
    engine.upgrade_database()
    engine.deploy(actor="system")
    tracemalloc.start()
    for _ in range(runs):
        run = TimedRun(engine, clock, scenario)
        run.costs = []
        run.run()
    stats = engine.services.workflows.stats()
    gc.collect()
    full = tracemalloc.get_traced_memory()[0]
    engine.services.workflows.clear()
    gc.collect()
    held = full - tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    engine.close()
    return stats.entries, stats.bytes, held


def _growth(costs: list[float], per_run: int) -> float:
    """How cost moves as the database fills: the last tenth of the runs met ten times as many
    stored cases as the first tenth. About 1.0 means constant, 10 would be linear."""
    tenth = max(len(costs) // per_run // 10, 1) * per_run
    return statistics.median(costs[-tenth:]) / statistics.median(costs[:tenth])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=50, help="scenario runs per backend")
    parser.add_argument(
        "--postgres", help="PostgreSQL server URL; a fresh pp_bench database is made there"
    )
    parser.add_argument("--json", dest="json_path", help="also write results here")
    args = parser.parse_args()

    scenario = load(SCENARIO)
    # Raw is measured before the first engine and after each one, and each engine's ratio is
    # taken against the raw runs on either side of it: this machine's speed drifts by tens of
    # percent within a minute, and one raw measure at the start made the later ratios drift
    # with it. (Alternating raw and engine run by run instead left every engine's caches cold.)
    raws = [raw_run(args.n, scenario)]
    engines = []
    for cache in (True, False):
        label = f"engine on SQLite{'' if cache else ', no cache'}"
        with tempfile.TemporaryDirectory() as folder:
            costs = engine_run(args.n, None, Path(folder), scenario, cache=cache)
        raws.append(raw_run(args.n, scenario))
        engines.append((label, costs, raws[-2] + raws[-1]))
    if args.postgres:
        for cache in (True, False):
            label = f"engine on PostgreSQL{'' if cache else ', no cache'}"
            url = fresh_postgres(args.postgres)
            with tempfile.TemporaryDirectory() as folder:
                costs = engine_run(args.n, url, Path(folder), scenario, cache=cache)
            raws.append(raw_run(args.n, scenario))
            engines.append((label, costs, raws[-2] + raws[-1]))
    raw = [cost for run in raws for cost in run]
    rows = [("raw SpiffWorkflow (memory)", raw, raw), *engines]

    per_run = len(raws[0]) // args.n
    print(f"task completion cost, {args.n} runs x {per_run} completions, {SCENARIO.stem}")
    print(
        f"{'backend':30} {'median ms':>10} {'p95 ms':>10} {'x raw':>8} "
        f"{'growth':>8}  (x raw: against the raw runs just before and after;"
        " growth: last tenth of the runs / first tenth)"
    )
    results = []
    for name, costs, around in rows:
        median, p95 = statistics.median(costs) * 1000, percentile(costs, 0.95) * 1000
        ratio = statistics.median(costs) / statistics.median(around)
        growth = _growth(costs, per_run)
        print(f"{name:30} {median:10.2f} {p95:10.2f} {ratio:8.1f} {growth:8.2f}")
        results.append(
            {
                "backend": name,
                "median_ms": median,
                "p95_ms": p95,
                "ratio_to_raw": ratio,
                "raw_around_median_ms": statistics.median(around) * 1000,
                "growth_last_over_first_tenth": growth,
            }
        )
    with tempfile.TemporaryDirectory() as folder:
        entries, weight, held = cache_memory(Path(folder), scenario)
    per = held / max(entries, 1)
    print(
        f"\nworkflow cache: {entries} workflows kept, weighed {weight / 2**20:.1f} MB by the cache"
        f" (twice the state JSON + sealed bytes), holding {held / 2**20:.1f} MB of Python memory"
        f" ({per / 2**10:.0f} KB each, {held / max(weight, 1):.1f}x the weight): a full cache"
        f" of the default 32 MB holds about {32 * held / max(weight, 1):.0f} MB per worker"
    )
    if args.json_path:
        Path(args.json_path).write_text(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
