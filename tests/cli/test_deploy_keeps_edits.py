"""``pathways deploy`` (what ``make run`` runs at every start) and a pathway edited in the modeller.

Through Click's runner, in process, against the test database.
"""

from __future__ import annotations

import json

from engine.definitions.lineage import Origin
from engine.definitions.sources import SourceFile
from tests.support.cli import invoke_pathways
from tests.support.pathway_edits import IDENTIFICATION, identification_source, with_new_task


def _deploy(cli_env, *args: str):
    return invoke_pathways(cli_env, "deploy", *args)


def _live_identification(engine) -> tuple[int, str]:
    line = engine.versions("identification", actor="coordinator")[0]
    return line.version, line.origin


def test_make_run_after_a_modeller_edit_keeps_the_edit_live(engine, cli_env, tmp_path):
    engine.upgrade_database()
    engine.add_user("coordinator", roles=["coordinator"])
    assert _deploy(cli_env, "--note", "first start").returncode == 0
    edited = with_new_task(identification_source())
    engine.deploy_files(
        [SourceFile(IDENTIFICATION.name, edited.encode())],
        actor="coordinator",
        change_note="referral elsewhere",
        origin=Origin.MODELLER,
    )
    assert _live_identification(engine) == (2, "modeller")

    # The next start: the shipped files have not changed since the edit.
    restarted = _deploy(cli_env, "--keep-edits", "--note", "deployed by make run", "--json")
    assert restarted.returncode == 0, restarted.stderr
    lines = {d["process_key"]: d for d in json.loads(restarted.stdout)}
    assert lines["identification"]["kept_edit"] is True
    assert lines["identification"]["shipped_pending"] is False
    assert _live_identification(engine) == (2, "modeller")

    # A release changes the shipped file: a plain deploy refuses, with the edit named.
    release = tmp_path / "release"
    release.mkdir()
    (release / IDENTIFICATION.name).write_text(
        identification_source().replace('name="Initial interview"', 'name="Interview"', 1),
        encoding="utf-8",
    )
    refused = _deploy(cli_env, str(release), "--note", "release 2")
    assert refused.returncode != 0
    assert "was edited in the modeller by coordinator" in refused.stderr
    assert _live_identification(engine) == (2, "modeller")

    kept = _deploy(cli_env, str(release), "--keep-edits", "--note", "release 2")
    assert kept.returncode == 0, kept.stderr
    assert "edit kept, new file waiting" in kept.stdout
    assert "A new shipped version waits behind an edit" in kept.stderr
    assert _live_identification(engine) == (2, "modeller")

    contradictory = _deploy(cli_env, str(release), "--keep-edits", "--replace-edits")
    assert contradictory.returncode == 2
