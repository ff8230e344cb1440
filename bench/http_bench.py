"""(Named http_bench.py: a bench/http.py would shadow the standard library's `http` for every
script in this folder.)

Caseworkers in a browser, simulated: sign in, open the inbox, claim, complete, for N seconds.

gunicorn (4 workers) on PostgreSQL plus a `pathways scheduler` process, as in production; each
simulated caseworker is a thread with its own session cookie, using the real pages and their CSRF
tokens. Prints requests/s, p50/p95/p99 per endpoint, errors, conflicts, lost updates (accepted
completions checked against the audit trail and the cases' own state), and the peak RSS of every
server process.

    .venv/bin/python bench/http_bench.py --postgres postgresql://postgres@127.0.0.1:5432/test \\
        [--clients 20] [--seconds 60] [--cases 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path

os.environ.setdefault("TZ", "UTC")
time.tzset()
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.append(str(ROOT / "bench"))  # after the project: bench/engine.py must not shadow engine/

import requests
from engine_bench_support import fresh_postgres, percentile

from engine.audit.search import AuditFilters
from engine.config import Settings
from engine.crypto.keyring import Keyring, encode_key, new_key
from engine.runtime import Engine
from tests.support.load import done_counter, prepare, start_gunicorn
from tests.support.web import PASSWORD

CSRF = re.compile(r'name="csrf_token" value="([0-9a-f]+)"')
CLAIM = re.compile(r'action="/tasks/([0-9a-f-]+)/claim"')


class Stats:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.latency: dict[str, list[float]] = defaultdict(list)
        self.status: Counter = Counter()
        self.accepted: list[str] = []
        self.errors: list[str] = []

    def record(self, label: str, began: float, status: int) -> None:
        with self.lock:
            self.latency[label].append(time.perf_counter() - began)
            self.status[(label, status)] += 1


def caseworker(base: str, username: str, until: float, stats: Stats) -> None:
    rng = random.Random(username)  # noqa: S311 - spreads the load, guards nothing
    web = requests.Session()

    def call(label: str, method: str, path: str, **kwargs):
        began = time.perf_counter()
        try:
            response = web.request(method, base + path, timeout=30, allow_redirects=False, **kwargs)
        except requests.RequestException as err:
            with stats.lock:
                stats.errors.append(f"{label}: {err}")
            return None
        stats.record(label, began, response.status_code)
        return response

    form = call("GET /signin", "GET", "/signin")
    token = CSRF.search(form.text).group(1)
    call(
        "POST /signin",
        "POST",
        "/signin",
        data={"username": username, "password": PASSWORD, "csrf_token": token},
    )
    while time.monotonic() < until:
        inbox = call("GET / (inbox)", "GET", "/?tab=roles")
        if inbox is None or inbox.status_code != 200:
            continue
        ids = CLAIM.findall(inbox.text)
        if not ids:
            continue
        token = CSRF.search(inbox.text).group(1)
        task_id = rng.choice(ids)
        claimed = call("POST claim", "POST", f"/tasks/{task_id}/claim", data={"csrf_token": token})
        if claimed is None or claimed.status_code != 302:
            continue
        done = call(
            "POST task (complete)",
            "POST",
            f"/tasks/{task_id}",
            data={"note": "visited", "_action": "complete", "csrf_token": token},
        )
        if done is not None and done.status_code == 302:
            with stats.lock:
                stats.accepted.append(task_id)


def peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return 0.0
    return 0.0


def children(pid: int) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == pid:
                found.append(int(entry.name))
    return found


def setup(server_url: str, cases: int, clients: int):
    url = fresh_postgres(server_url, "pp_bench_http")
    folder = Path(tempfile.mkdtemp(prefix="pp-bench-http-"))
    key = new_key()
    engine = Engine(Settings(var_dir=folder, database_url=url), keyring=Keyring([key]))
    engine.upgrade_database()
    engine.add_user("bench_admin", roles=["admin"])
    prepare(engine, folder / "wf", cases=cases, clients=0)
    users = [f"cw{i}" for i in range(clients)]
    for name in users:
        engine.add_user(name, roles=["caseworker"], password=PASSWORD)
    env = dict(
        os.environ, DATABASE_URL=url, PATHWAYS_DATA_KEYS=encode_key(key), PATHWAYS_VAR=str(folder)
    )
    return engine, env, folder, users


def serve_and_load(env, folder: Path, users: list[str], seconds: float):
    """The servers run only while the caseworkers work; their peak memory is read before exit."""
    server, base = start_gunicorn(env, folder / "gunicorn.log")
    pathways = str(Path(sys.executable).with_name("pathways"))
    scheduler = subprocess.Popen(  # noqa: S603 - our own console script
        [pathways, "scheduler"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    stats = Stats()
    began = time.perf_counter()
    until = time.monotonic() + seconds
    threads = [threading.Thread(target=caseworker, args=(base, u, until, stats)) for u in users]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - began
    rss = {"gunicorn master": peak_rss_mb(server.pid)}
    for i, pid in enumerate(children(server.pid)):
        rss[f"gunicorn worker {i + 1}"] = peak_rss_mb(pid)
    rss["scheduler"] = peak_rss_mb(scheduler.pid)
    for process in (server, scheduler):
        process.terminate()
        process.wait(timeout=30)
    return stats, elapsed, rss


def audited_completions(engine: Engine) -> int:
    count, cursor = 0, None
    while True:
        events, cursor = engine.audit_search(
            AuditFilters(action="instance:task:completed"), actor="bench_admin", before_seq=cursor
        )
        count += len(events)
        if cursor is None:
            return count


def report(stats: Stats, elapsed: float, rss: dict, *, audited: int, counted: int, clients: int):
    total = sum(stats.status.values())
    server_errors = sum(n for (_, s), n in stats.status.items() if s >= 500)
    conflicts = sum(n for (_, s), n in stats.status.items() if s == 409)
    accepted = len(stats.accepted)
    print(f"\n{clients} caseworkers, {elapsed:.0f} s, gunicorn (4 workers) on PostgreSQL")
    print(f"{total} requests, {total / elapsed:.0f} requests/s; {accepted} completions")
    print(f"server errors: {server_errors}; transport errors: {len(stats.errors)}")
    print(f"conflicts (409): {conflicts}")
    print(f"lost updates: {accepted - audited} (accepted {accepted}, audited {audited}, ", end="")
    print(f"counted by the cases themselves {counted})")
    latency = {}
    print("\n| endpoint | requests | p50 ms | p95 ms | p99 ms |\n|---|---|---|---|---|")
    for label, values in sorted(stats.latency.items()):
        ms = [v * 1000 for v in values]
        latency[label] = [percentile(ms, q) for q in (0.5, 0.95, 0.99)]
        cells = " | ".join(f"{v:.1f}" for v in latency[label])
        print(f"| {label} | {len(ms)} | {cells} |")
    print("\n| process | peak RSS MB |\n|---|---|")
    for name, mb in rss.items():
        print(f"| {name} | {mb:.0f} |")
    return {
        "clients": clients,
        "seconds": elapsed,
        "requests": total,
        "completions": accepted,
        "audited": audited,
        "counted": counted,
        "server_errors": server_errors,
        "conflicts": conflicts,
        "latency_ms": latency,
        "peak_rss_mb": rss,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--postgres", required=True)
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    engine, env, folder, users = setup(args.postgres, args.cases, args.clients)
    stats, elapsed, rss = serve_and_load(env, folder, users, args.seconds)
    audited = audited_completions(engine)
    counted = sum(done_counter(engine, i) for i in range(1, args.cases + 1))
    engine.close()
    result = report(stats, elapsed, rss, audited=audited, counted=counted, clients=args.clients)
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
