"""Simulated caseworkers hammering a real server: the harness behind the load test and
``bench/http.py``.

The pathway loops for ever (work -> count -> work), so every case always has one task to
claim and complete; clients race for the same tasks, and the losers must get a 409.
"""

from __future__ import annotations

import os
import random
import socket
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import requests

from engine.instances import store
from tests.support import bpmn as b

WORK_FORM = {
    "type": "object",
    "properties": {"note": {"type": "string", "title": "Note", "minLength": 1}},
    "required": ["note"],
}


def loop_pathway() -> str:
    return b.definitions(
        b.process(
            "load_loop",
            b.start(),
            b.user_task("work", "Do the work", "work.json"),
            b.script_task("count", "done = data.get('done', 0) + 1"),
            b.exclusive("again", default="f_again"),
            *b.chain("start", "work", "count", "again"),
            b.flow("again", "work", fid="f_again"),
            lanes={"Caseworker": ["start", "work", "count", "again"]},
        )
    )


def prepare(engine, folder: Path, *, cases: int, clients: int) -> list[str]:
    """Deploy the loop, open ``cases`` cases, and return one API token per simulated caseworker."""
    engine.deploy(
        [b.write(folder, "load.bpmn", loop_pathway(), {"work.json": WORK_FORM})], actor="system"
    )
    for _ in range(cases):
        engine.start("load_loop", actor="system")
    tokens = []
    for i in range(clients):
        engine.add_user(f"worker{i}", roles=["caseworker"])
        tokens.append(engine.create_token(f"worker{i}", name="load"))
    return tokens


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(
    env: dict[str, str], log: Path, *, workers: int = 4
) -> tuple[subprocess.Popen, str]:
    port = free_port()
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with log.open("wb") as log_file:  # the server keeps its own descriptor
        process = subprocess.Popen(
            [
                str(gunicorn),
                "-w",
                str(workers),
                "--threads",
                "2",
                "-b",
                f"127.0.0.1:{port}",
                "--graceful-timeout",
                "5",
                "webapp.wsgi:app",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log_file,
        )
    return process, serving(process, f"http://127.0.0.1:{port}", log, "gunicorn")


def serving(process: subprocess.Popen, base: str, log: Path, name: str) -> str:
    """``base`` once the server answers its sign-in page (within 60 s), else the log's tail."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if requests.get(f"{base}/signin", timeout=5).status_code == 200:
                return base
        except requests.RequestException:
            time.sleep(0.2)
    process.kill()
    process.wait(timeout=30)
    raise RuntimeError(f"{name} did not start: {log.read_text()[-2000:]}")


@dataclass
class LoadResult:
    seconds: float
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: Counter = field(default_factory=Counter)
    accepted: list[tuple[str, int]] = field(default_factory=list)  # (task id, instance id)
    errors: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return sum(self.statuses.values())

    @property
    def server_errors(self) -> int:
        return sum(n for (_, status), n in self.statuses.items() if status >= 500)


def _client(base: str, token: str, until: float, result: LoadResult, lock: threading.Lock) -> None:
    session = requests.Session()
    session.headers["Authorization"] = f"Bearer {token}"
    rng = random.Random(token)  # noqa: S311 - spreads the load, guards nothing

    def call(label: str, method: str, path: str, **kwargs):
        began = time.perf_counter()
        try:
            response = session.request(method, f"{base}{path}", timeout=30, **kwargs)
        except requests.RequestException as err:
            with lock:
                result.errors.append(f"{label}: {err}")
            return None
        elapsed = time.perf_counter() - began
        with lock:
            result.latencies[label].append(elapsed)
            result.statuses[(label, response.status_code)] += 1
        return response

    while time.monotonic() < until:
        listed = call("inbox", "GET", "/api/v1/tasks")
        if listed is None or listed.status_code != 200 or not listed.json()["tasks"]:
            continue
        task = rng.choice(listed.json()["tasks"])
        claimed = call("claim", "POST", f"/api/v1/tasks/{task['id']}/claim")
        if claimed is None or claimed.status_code != 200:
            continue
        done = call(
            "complete",
            "POST",
            f"/api/v1/tasks/{task['id']}/complete",
            json={"answers": {"note": "ok"}},
        )
        if done is not None and done.status_code == 200:
            with lock:
                result.accepted.append((task["id"], task["instance_id"]))


def run_load(base: str, tokens: list[str], seconds: float) -> LoadResult:
    result = LoadResult(seconds)
    lock = threading.Lock()
    until = time.monotonic() + seconds
    threads = [
        threading.Thread(target=_client, args=(base, token, until, result, lock), daemon=True)
        for token in tokens
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=seconds + 60)
    return result


def done_counter(engine, instance_id: int) -> int:
    """How many completions the instance's own state has counted (the script's ``done``)."""
    with engine.read() as session:
        loaded = store.load(session, engine.services, instance_id)
    return max((t.data.get("done", 0) for t in loaded.workflow.get_tasks()), default=0)


def server_env(base_env: dict[str, str]) -> dict[str, str]:
    return dict(
        base_env, PYTHONPATH=os.pathsep.join([str(Path.cwd()), base_env.get("PYTHONPATH", "")])
    )
