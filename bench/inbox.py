"""Inbox, overdue tab, case page and audit search at a national caseload.

Populates N cases with ten task rows each (one open, nine completed) across the shipped roles and
ten audit events per case (bulk inserts, not engine calls: minutes instead of hours), plus a few
real cases made through the engine for the case page. Measures p50/p95 of the engine queries and of
the rendered pages (Flask test client, signed in), at N/10 and at N in the same run, on SQLite and
(with ``--postgres``) PostgreSQL, and prints how cost grows from one size to the other.

    .venv/bin/python bench/inbox.py [--cases 10000] [--full] [--postgres URL] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import sys
import tempfile
import time
import uuid
from datetime import timedelta
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/engine.py must not shadow engine/

from engine_bench_support import fresh_postgres, percentile
from sqlalchemy import insert, select, update

from engine.audit.models import AuditChainHead, AuditEvent
from engine.audit.search import AuditFilters
from engine.clock import FixedClock
from engine.config import Settings
from engine.crypto.keyring import Keyring, new_key
from engine.definitions.models import ProcessDefinition
from engine.instances.models import ProcessInstance, ProtectionCase
from engine.runtime import Engine
from engine.tasks.models import HumanTask
from tests.support.web import ADULT_SCREENING, PASSWORD, sign_in
from webapp.app import create_app

ROLES = [
    "caseworker",
    "identification_officer",
    "child_protection_officer",
    "legal_adviser",
    "return_officer",
    "supervisor",
    "first_responder",
]
BATCH = 5000
TASKS_PER_CASE = 10
EVENTS_PER_CASE = 10
REPEAT = 60


def populate(engine: Engine, cases: int, rng: random.Random, start_id: int) -> None:
    """Bulk rows shaped like the engine's, without running pathways."""
    with engine.read() as session:
        definition_id = session.scalars(
            select(ProcessDefinition.id).where(ProcessDefinition.process_key == "identification")
        ).first()
    now = engine.clock.now()
    seq_start = _max_seq(engine)
    with engine.db.sa_engine.begin() as connection:
        for first in range(0, cases, BATCH):
            ids = range(start_id + first, start_id + min(first + BATCH, cases))
            case_rows, instance_rows, task_rows, event_rows = [], [], [], []
            for n in ids:
                ref = f"PP-2025-{n:06d}"
                created = now - timedelta(days=rng.randint(1, 700))
                case_rows.append(
                    {
                        "id": n,
                        "ref": ref,
                        "status": "open",
                        "created_by": "bench",
                        "created_at": created,
                    }
                )
                instance_rows.append(
                    {
                        "id": n,
                        "case_id": n,
                        "definition_id": definition_id,
                        "process_key": "identification",
                        "status": "running",
                        "pinned_json": "{}",
                        "version": 1,
                        "started_by": "bench",
                        "started_at": created,
                        "updated_at": created,
                        "ended_at": None,
                    }
                )
                for t in range(TASKS_PER_CASE):
                    is_open = t == TASKS_PER_CASE - 1
                    due = (
                        created + timedelta(days=rng.randint(1, 800))
                        if rng.random() < 0.8
                        else None
                    )
                    task_rows.append(
                        {
                            "id": str(uuid.UUID(int=rng.getrandbits(128))),
                            "instance_id": n,
                            "case_id": n,
                            "bpmn_id": f"step_{t}",
                            "title": f"Step {t}",
                            "process_key": "identification",
                            "role": rng.choice(ROLES),
                            "form": None,
                            "state": "READY" if is_open else "COMPLETED",
                            "assignee": None,
                            "claimed_at": None,
                            "due_at": due,
                            "created_at": created,
                            "completed_at": None if is_open else created + timedelta(hours=t),
                            "completed_by": None if is_open else "bench",
                        }
                    )
                for e in range(EVENTS_PER_CASE):
                    seq_start += 1
                    event_rows.append(
                        {
                            "seq": seq_start,
                            "occurred_at": created + timedelta(minutes=e),
                            "actor": rng.choice(ROLES),
                            "action": "instance:task:completed",
                            "case_ref": ref,
                            "instance_id": n,
                            "task_id": None,
                            "process_key": "identification",
                            "definition_version": 1,
                            "detail_json": "{}",
                            "payload": None,
                            "prev_hash": "0" * 64,
                            "hash": "0" * 64,
                        }
                    )
            connection.execute(insert(ProtectionCase.__table__), case_rows)
            connection.execute(insert(ProcessInstance.__table__), instance_rows)
            connection.execute(insert(HumanTask.__table__), task_rows)
            connection.execute(insert(AuditEvent.__table__), event_rows)
        # The bulk events are not chained (no verification here); move the head past them so the
        # engine's own appends continue after them.
        connection.execute(
            update(AuditChainHead).values(last_seq=seq_start, last_hash=event_rows[-1]["hash"])
        )
    if not engine.db.is_sqlite:
        with engine.db.sa_engine.connect() as connection:
            connection.exec_driver_sql("ANALYZE")
            connection.commit()


def _max_seq(engine: Engine) -> int:
    with engine.db.sa_engine.connect() as connection:
        return connection.exec_driver_sql("SELECT COALESCE(MAX(seq), 0) FROM audit_event").scalar()


def page(client, path: str):
    response = client.get(path)
    if response.status_code != 200:
        raise RuntimeError(f"{path} answered {response.status_code}")
    return response


def timed(function, repeat: int = REPEAT) -> list[float]:
    function()  # warm caches once
    costs = []
    for _ in range(repeat):
        began = time.perf_counter()
        function()
        costs.append((time.perf_counter() - began) * 1000)
    return costs


def measure(engine: Engine, client, rng: random.Random) -> dict[str, list[float]]:
    def deep_inbox():
        page = engine.inbox("caseworker", tab="roles")
        for _ in range(5):  # five pages further by cursor
            page = engine.inbox("caseworker", tab="roles", cursor=page.next_cursor)

    return {
        "inbox query (My roles)": timed(lambda: engine.inbox("caseworker", tab="roles")),
        "inbox query, pages 1-6 in a row": timed(deep_inbox, 20),
        "overdue query": timed(lambda: engine.inbox("caseworker", tab="overdue")),
        "audit search by case": timed(
            lambda: engine.audit_search(
                AuditFilters(case_ref=f"PP-2025-{rng.randint(1, 1000):06d}"), actor="admin"
            )
        ),
        "audit search by actor": timed(
            lambda: engine.audit_search(AuditFilters(actor="legal_adviser"), actor="admin")
        ),
        "inbox page (rendered)": timed(lambda: page(client, "/?tab=roles")),
        "overdue page (rendered)": timed(lambda: page(client, "/?tab=overdue")),
    }


def run(database_url: str, cases: int, label: str) -> dict:
    rng = random.Random(7)  # noqa: S311 - reproducible test data, not secrets
    folder = Path(tempfile.mkdtemp(prefix="pp-bench-inbox-"))
    settings = Settings(var_dir=folder, database_url=database_url)
    engine = Engine(settings, keyring=Keyring([new_key()]), clock=FixedClock())
    engine.upgrade_database()
    engine.deploy(actor="system")
    for role in [*ROLES, "admin"]:
        engine.add_user(role, roles=[role], password=PASSWORD)
    started = engine.start("identification", actor="first_responder")
    screening = engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)

    app = create_app(engine)
    client = app.test_client()
    sign_in(client, "caseworker")
    admin_client = app.test_client()
    sign_in(admin_client, "admin")

    results = {}
    done = 0
    for size in (cases // 10, cases):
        began = time.perf_counter()
        populate(engine, size - done, rng, start_id=100_000 + done)
        fill = time.perf_counter() - began
        done = size
        timings = measure(engine, client, rng)
        timings["case page (rendered)"] = timed(
            lambda: admin_client.get(f"/cases/{started.case_ref}")
        )
        results[size] = {
            "fill_seconds": fill,
            "timings": {k: (percentile(v, 0.5), percentile(v, 0.95)) for k, v in timings.items()},
        }
        print(f"  [{label}] {size} cases ready in {fill:.0f} s", file=sys.stderr)
    engine.close()
    return results


def table(label: str, results: dict) -> list[str]:
    small, large = sorted(results)
    tasks, events = large * TASKS_PER_CASE, large * EVENTS_PER_CASE
    lines = [
        f"\n{label}: {large} cases, {tasks} task rows, {events} audit events",
        f"| measure | p50 ms at {small} | p95 ms at {small} | p50 ms at {large} "
        f"| p95 ms at {large} | p50 growth for x{large // small} size |",
        "|---|---|---|---|---|---|",
    ]
    for name, (p50_small, p95_small) in results[small]["timings"].items():
        p50, p95 = results[large]["timings"][name]
        growth = p50 / p50_small
        cells = [f"{v:.1f}" for v in (p50_small, p95_small, p50, p95)]
        lines.append(f"| {name} | {' | '.join(cells)} | x{growth:.2f} |")
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--full", action="store_true", help="100,000 cases (1,000,000 task rows)")
    parser.add_argument(
        "--postgres", help="a PostgreSQL server URL; a fresh database is made on it"
    )
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    cases = 100_000 if args.full else args.cases
    runs = {}
    with tempfile.TemporaryDirectory() as folder:
        runs["SQLite"] = run(f"sqlite:///{Path(folder) / 'bench.db'}", cases, "SQLite")
    if args.postgres:
        runs["PostgreSQL"] = run(
            fresh_postgres(args.postgres, "pp_bench_inbox"), cases, "PostgreSQL"
        )
    for label, results in runs.items():
        print("\n".join(table(label, results)))
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"\npeak RSS of this process (engine + web app in one): {peak:.0f} MB")
    if args.json:
        args.json.write_text(
            json.dumps({"cases": cases, "runs": runs, "peak_rss_mb": peak}, indent=2, default=str)
        )


if __name__ == "__main__":
    main()
