"""``pathways migrate plan`` and ``run``, through Click's runner against the test database."""

from __future__ import annotations

import json

from tests.support.cli import invoke_pathways
from tests.support.intake_versions import deploy_intake


def _pathways(cli_env, *args: str):
    return invoke_pathways(cli_env, *args)


def test_plan_then_run_from_the_command_line(engine, people, cli_env, tmp_path):
    deploy_intake(engine, tmp_path / "v1")
    at_screening = engine.start("intake", actor=people["responder"])
    deploy_intake(engine, tmp_path / "v2", screening=False)  # nothing at screening can move
    deploy_intake(engine, tmp_path / "v3", safety_check=True)

    planned = _pathways(cli_env, "migrate", "plan", "intake", "--to", "2", "--json")
    assert planned.returncode == 0, planned.stderr
    assert json.loads(planned.stdout) == [
        {
            "instance_id": at_screening.instance_id,
            "case_ref": at_screening.case_ref,
            "from_version": 1,
            "can_migrate": False,
            "problems": ["its current step 'Screen the person' is not in version 2"],
        }
    ]
    table = _pathways(cli_env, "migrate", "plan", "intake", "--to", "2")
    assert "is not in version 2" in table.stdout and at_screening.case_ref in table.stdout

    refused = _pathways(
        cli_env, "migrate", "run", "intake", "--to", "2", "--as", "admin", "--reason", "x", "--json"
    )
    assert json.loads(refused.stdout) == {
        "migrated": [],
        "refused": [
            {
                "instance_id": at_screening.instance_id,
                "problems": ["its current step 'Screen the person' is not in version 2"],
            }
        ],
    }
    moved = _pathways(
        cli_env,
        "migrate",
        "run",
        "intake",
        "--to",
        "3",
        "--as",
        "coordinator",
        "--reason",
        "safety check after reflection",
        "--instance",
        str(at_screening.instance_id),
    )
    assert moved.returncode == 0, moved.stderr
    assert moved.stdout.startswith("migrated to version 3: 1 instance(s)")

    not_allowed = _pathways(
        cli_env, "migrate", "run", "intake", "--to", "3", "--as", "caseworker", "--reason", "x"
    )
    assert not_allowed.returncode != 0
    assert "only coordinators and administrators may migrate" in not_allowed.stderr
    missing = _pathways(cli_env, "migrate", "run", "intake", "--to", "3", "--as", "admin")
    assert missing.returncode == 2  # --reason is required
