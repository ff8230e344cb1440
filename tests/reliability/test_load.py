"""50 simulated caseworkers claim and complete tasks through gunicorn (4 workers) on PostgreSQL:
no server error, conflicts reported as 409, and every accepted completion is both in the audit
trail and in the case's state (no lost update).

It runs for ``PATHWAYS_LOAD_SECONDS`` (`.ci/run` sets 60 for its PostgreSQL pass); without it,
it is skipped.
"""

from __future__ import annotations

import os
from collections import Counter

import pytest

from engine.audit.search import AuditFilters
from tests.conftest import ON_POSTGRES
from tests.support.load import done_counter, prepare, run_load, server_env, start_gunicorn

SECONDS = float(os.environ.get("PATHWAYS_LOAD_SECONDS", "0") or 0)
CLIENTS = int(os.environ.get("PATHWAYS_LOAD_CLIENTS", "50"))

pytestmark = pytest.mark.skipif(
    not (ON_POSTGRES and SECONDS), reason="set PATHWAYS_LOAD_SECONDS and run on PostgreSQL"
)


def test_many_clients_lose_nothing(engine, cli_env, tmp_path):
    engine.add_user("admin_for_load", roles=["admin"])
    tokens = prepare(engine, tmp_path / "wf", cases=100, clients=CLIENTS)
    server, base = start_gunicorn(server_env(cli_env), tmp_path / "gunicorn.log")
    try:
        result = run_load(base, tokens, SECONDS)
    finally:
        server.terminate()
        server.wait(timeout=30)

    print(  # the run's figures, for the log
        f"\nload: {CLIENTS} clients, {SECONDS:.0f} s, {result.requests} requests, "
        f"{len(result.accepted)} completions, statuses {dict(result.statuses)}"
    )
    assert result.errors == []
    assert result.server_errors == 0, result.statuses
    refusals = {status for (_, status) in result.statuses if status >= 400}
    assert refusals <= {409}, result.statuses  # losing a race is a conflict, nothing else
    assert len(result.accepted) > CLIENTS  # real work was done

    completed = 0
    cursor = None
    while True:
        page, cursor = engine.audit_search(
            AuditFilters(action="instance:task:completed"),
            actor="admin_for_load",
            before_seq=cursor,
        )
        completed += len(page)
        if cursor is None:
            break
    assert completed == len(result.accepted)
    per_instance = Counter(instance for _, instance in result.accepted)
    for instance_id, accepted in per_instance.items():
        assert done_counter(engine, instance_id) == accepted
