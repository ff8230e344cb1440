"""Shipped files never silently undo a coordinator's edit (engine/definitions/lineage.py).

``make run`` deploys ``workflows/`` at every start, and an upgrade ships new files: a version
edited in the modeller stays live until someone decides otherwise.
"""

from __future__ import annotations

import pytest

from engine.audit.search import AuditFilters
from engine.definitions.lineage import EditPolicy
from engine.definitions.sources import SourceFile
from engine.errors import DeploymentRefused
from tests.support.pathway_edits import identification_source, with_new_task

FILE = "identification.bpmn"


def _edit_in_the_modeller(engine) -> None:
    edited = with_new_task(identification_source())
    engine.deploy_source(FILE, edited, actor="coordinator", change_note="Referral elsewhere")


def _a_new_release() -> SourceFile:
    """The shipped identification file as a later release might change it."""
    source = identification_source().replace(
        'name="Initial interview"', 'name="Initial interview (revised)"', 1
    )
    assert source != identification_source()
    return SourceFile(FILE, source.encode())


def _identification(results):
    (found,) = [r for r in results if r.process_key == "identification"]
    return found


def _versions(engine):
    return [(v.version, v.origin) for v in engine.versions("identification", actor="coordinator")]


def test_deploying_the_shipped_files_again_keeps_an_edit_live(web_engine):
    _edit_in_the_modeller(web_engine)
    assert _versions(web_engine) == [(2, "modeller"), (1, "file")]
    assert web_engine.versions("identification", actor="coordinator")[0].edited_from == 1

    results = {r.process_key: r for r in web_engine.deploy(actor="system", change_note="start")}

    kept = results["identification"]
    assert (kept.version, kept.changed, kept.kept_edit, kept.shipped_pending) == (
        2,
        False,
        True,
        False,
    )
    assert _versions(web_engine) == [(2, "modeller"), (1, "file")]
    assert results["verification"].kept_edit is True  # the same file: edited together
    assert (
        results["child_referral"].changed is False and results["child_referral"].kept_edit is False
    )
    started = web_engine.start("identification", actor="first_responder")
    assert started.version == 2


def test_a_new_shipped_file_over_an_edit_is_refused_and_changes_nothing(web_engine):
    _edit_in_the_modeller(web_engine)
    with pytest.raises(DeploymentRefused) as refused:
        web_engine.deploy_files([_a_new_release()], actor="system", change_note="release 2")
    problems = [str(p) for p in refused.value.problems]
    assert len(problems) == 2  # the file holds identification and verification
    assert "identification v2 was edited in the modeller by coordinator" in problems[0]
    assert "--keep-edits" in problems[0] and "--replace-edits" in problems[0]
    assert _versions(web_engine) == [(2, "modeller"), (1, "file")]


def test_keeping_the_edit_deploys_nothing_over_it_and_says_a_file_waits(web_engine):
    _edit_in_the_modeller(web_engine)
    result = _identification(
        web_engine.deploy_files(
            [_a_new_release()], actor="system", change_note="release 2", edits=EditPolicy.KEEP
        )
    )
    assert (result.version, result.changed, result.kept_edit, result.shipped_pending) == (
        2,
        False,
        True,
        True,
    )
    assert _versions(web_engine) == [(2, "modeller"), (1, "file")]


def test_replacing_an_edit_needs_a_note_and_is_audited(web_engine):
    _edit_in_the_modeller(web_engine)
    with pytest.raises(DeploymentRefused, match="change note"):
        web_engine.deploy_files([_a_new_release()], actor="system", edits=EditPolicy.REPLACE)
    assert _versions(web_engine) == [(2, "modeller"), (1, "file")]

    result = _identification(
        web_engine.deploy_files(
            [_a_new_release()],
            actor="coordinator",
            change_note="release 2 supersedes the local referral step",
            edits=EditPolicy.REPLACE,
        )
    )
    assert (result.version, result.changed) == (3, True)
    assert _versions(web_engine) == [(3, "file"), (2, "modeller"), (1, "file")]
    events, _ = web_engine.audit_search(
        AuditFilters(action="definition:deployed", process_key="identification"), actor="admin"
    )
    newest = events[0]
    assert newest.definition_version == 3
    assert newest.detail["replaced_edit"] == 2 and newest.detail["origin"] == "file"
    # Now the live version is a file again: the next release deploys as usual.
    newer = SourceFile(FILE, _a_new_release().data.replace(b"(revised)", b"(revised again)"))
    again = _identification(web_engine.deploy_files([newer], actor="system", change_note="r3"))
    assert (again.version, again.changed) == (4, True)


def test_a_file_deploy_over_a_file_version_is_unchanged_behaviour(web_engine):
    result = _identification(
        web_engine.deploy_files([_a_new_release()], actor="system", change_note="r2")
    )
    assert (result.version, result.changed, result.kept_edit) == (2, True, False)
    assert _versions(web_engine) == [(2, "file"), (1, "file")]
