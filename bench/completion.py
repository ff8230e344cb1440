"""What a plain task completion costs, on a three-step diagram: statements, time, throughput.

In process (no HTTP): SQL statements per completion (counted with an SQLAlchemy listener),
p50/p95 of ``Engine.complete_task`` with the worker's workflow cache on and off, against raw
SpiffWorkflow completing the same tasks in memory, measured in the same run.

Over HTTP (``--http``): the API's submit (``POST /api/v1/tasks/{id}/complete``) p50/p95 with
1 and 4 client threads, and whole instances per second (start + 3 completions) with 4 client
threads, through ``pathways serve`` on SQLite and, with ``--postgres``, gunicorn (4 workers)
on PostgreSQL. The clients run on the same machine as the server.

    .venv/bin/python bench/completion.py [--n 200] [--http] [--seconds 10] \\
        [--postgres postgresql://postgres@127.0.0.1:5432/test]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/engine.py must not shadow engine/

import requests
from engine_bench_support import fresh_postgres, percentile
from SpiffWorkflow.util.task import TaskState

from engine.clock import FixedClock
from engine.config import CONFIG_DIR, Settings
from engine.crypto.keyring import Keyring, encode_key, new_key
from engine.runtime import Engine
from engine.scripting.case_facts import CaseFacts
from engine.spiff import serialization, stepping
from engine.spiff.parsing import new_parser, parse_xml
from engine.timers.calendar import BusinessCalendar
from tests.support.load import free_port, serving, start_gunicorn
from tests.support.statements import counting
from tests.support.three_steps import deploy_three_steps, three_steps

ANSWERS = {"note": "seen"}


def raw_costs(n: int) -> list[float]:
    parser = new_parser()
    parser.add_bpmn_xml(parse_xml(three_steps(), "three.bpmn"), "three.bpmn")
    spec = parser.get_spec("three_steps")
    calendar = BusinessCalendar.from_file(CONFIG_DIR / "calendar.json")
    step = stepping.StepContext(FixedClock(), calendar, CaseFacts())
    costs = []
    for _ in range(n):
        workflow = serialization.new_workflow(spec, {})
        stepping.start(workflow, step, {})
        for _ in range(3):
            task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
            began = time.perf_counter()
            stepping.complete(workflow, task, dict(ANSWERS), step)
            costs.append(time.perf_counter() - began)
    return costs


def new_engine(folder: Path, url: str | None, *, cache_bytes: int | None = None) -> Engine:
    settings = Settings(
        var_dir=folder,
        database_url=url or f"sqlite:///{folder / 'bench.db'}",
        **({} if cache_bytes is None else {"workflow_cache_bytes": cache_bytes}),
    )
    engine = Engine(settings, keyring=Keyring([new_key()]), clock=FixedClock())
    engine.upgrade_database()
    deploy_three_steps(engine, folder / "wf")
    return engine


def engine_costs(n: int, folder: Path, url: str | None, cache: bool) -> tuple[list[float], list]:
    engine = new_engine(folder, url, cache_bytes=None if cache else 0)
    engine.add_user("cw", roles=["caseworker"])
    costs, statements = [], []
    for _ in range(n):
        started = engine.start("three_steps", actor="cw")
        task_id = started.next_task_ids[0]
        for _ in range(3):
            with counting(engine.db) as counted:
                began = time.perf_counter()
                done = engine.complete_task(task_id, actor="cw", answers=dict(ANSWERS))
                costs.append(time.perf_counter() - began)
            statements.append(len(counted.sql))
            task_id = done.next_task_ids[0] if done.next_task_ids else None
    engine.close()
    return costs, statements


# -- HTTP ---------------------------------------------------------------------------------


def start_serve(env: dict[str, str], log: Path) -> tuple[subprocess.Popen, str]:
    port = free_port()
    pathways = str(Path(sys.executable).with_name("pathways"))
    with log.open("wb") as log_file:
        process = subprocess.Popen(  # noqa: S603 - our own console script
            [pathways, "serve", "--port", str(port), "--no-scheduler"],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    return process, serving(process, f"http://127.0.0.1:{port}", log, "pathways serve")


def client(base: str, token: str, until: float, submits: list, instances: list) -> None:
    http = requests.Session()
    http.headers["Authorization"] = f"Bearer {token}"
    while time.monotonic() < until:
        started = http.post(f"{base}/api/v1/cases", json={"process_key": "three_steps"})
        started.raise_for_status()
        began_instance = time.perf_counter()
        next_ids = started.json()["next_task_ids"]
        while next_ids:
            began = time.perf_counter()
            done = http.post(
                f"{base}/api/v1/tasks/{next_ids[0]}/complete", json={"answers": ANSWERS}
            )
            submits.append(time.perf_counter() - began)
            done.raise_for_status()
            next_ids = done.json()["next_task_ids"]
        instances.append(time.perf_counter() - began_instance)


def http_run(label: str, url: str | None, clients: int, seconds: float, gunicorn: bool):
    folder = Path(tempfile.mkdtemp(prefix="pp-bench-submit-"))
    key = new_key()
    settings = Settings(var_dir=folder, database_url=url or f"sqlite:///{folder / 'bench.db'}")
    engine = Engine(settings, keyring=Keyring([key]))
    engine.upgrade_database()
    deploy_three_steps(engine, folder / "wf")
    tokens = []
    for i in range(clients):
        engine.add_user(f"cw{i}", roles=["caseworker"])
        tokens.append(engine.create_token(f"cw{i}", name="bench"))
    env = dict(
        os.environ,
        DATABASE_URL=settings.database_url,
        PATHWAYS_DATA_KEYS=encode_key(key),
        PATHWAYS_VAR=str(folder),
    )
    server, base = (start_gunicorn if gunicorn else start_serve)(env, folder / "server.log")
    submits: list[float] = []
    instances: list[float] = []
    try:
        # Warm up (first requests import, compile catalogs, parse specs) before measuring.
        client(base, tokens[0], time.monotonic() + 1, [], [])
        until = time.monotonic() + seconds
        threads = [
            threading.Thread(target=client, args=(base, t, until, submits, instances))
            for t in tokens
        ]
        began = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - began
    finally:
        server.terminate()
        server.wait(timeout=30)
        engine.close()
    return (
        label,
        clients,
        percentile(submits, 0.5) * 1000,
        percentile(submits, 0.95) * 1000,
        len(instances) / elapsed,
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, default=200, help="instances per in-process backend")
    parser.add_argument("--postgres", help="PostgreSQL server URL; a fresh database is made there")
    parser.add_argument("--http", action="store_true", help="also measure over HTTP")
    parser.add_argument("--seconds", type=float, default=10.0, help="per HTTP measurement")
    args = parser.parse_args()

    rows = [("raw SpiffWorkflow (memory)", raw_costs(args.n), [])]
    backends = [("SQLite", None)]
    if args.postgres:
        backends.append(("PostgreSQL", "postgres"))
    for name, kind in backends:
        for cache in (True, False):
            url = fresh_postgres(args.postgres, "pp_bench_completion") if kind else None
            with tempfile.TemporaryDirectory() as folder:
                costs, statements = engine_costs(args.n, Path(folder), url, cache)
            label = f"engine on {name}, cache {'on' if cache else 'off'}"
            rows.append((label, costs, statements))

    raw_median = statistics.median(rows[0][1])
    print(f"three-step diagram, {args.n} instances x 3 completions, in process")
    print(f"{'backend':36} {'statements':>10} {'p50 ms':>8} {'p95 ms':>8} {'x raw':>7}")
    for label, costs, statements in rows:
        counted = f"{max(statements)}" if statements else "-"
        print(
            f"{label:36} {counted:>10} {statistics.median(costs) * 1000:8.2f}"
            f" {percentile(costs, 0.95) * 1000:8.2f} {statistics.median(costs) / raw_median:7.1f}"
        )

    if args.http:
        results = []
        for clients in (1, 4):
            results.append(http_run("pathways serve, SQLite", None, clients, args.seconds, False))
        if args.postgres:
            for clients in (1, 4):
                url = fresh_postgres(args.postgres, "pp_bench_submit")
                results.append(
                    http_run("gunicorn -w 4, PostgreSQL", url, clients, args.seconds, True)
                )
        print("\nover HTTP (API token), clients on the same machine")
        header = ("server", "clients", "submit p50 ms", "p95 ms", "instances/s")
        print("{:28} {:>7} {:>14} {:>8} {:>12}".format(*header))
        for label, clients, p50, p95, rate in results:
            print(f"{label:28} {clients:7d} {p50:14.2f} {p95:8.2f} {rate:12.1f}")


if __name__ == "__main__":
    main()
