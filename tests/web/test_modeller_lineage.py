"""The modeller's side of "shipped files never undo an edit": what waits, and carrying it over."""

from __future__ import annotations

import dataclasses
import shutil

from engine.config import PROJECT_ROOT
from engine.definitions.lineage import Origin
from engine.definitions.sources import SourceFile
from tests.support.pathway_edits import identification_source, with_new_task
from tests.support.web import csrf_from

FILE = "identification.bpmn"


def _release(tmp_path, web_engine) -> str:
    """A copy of workflows/ where a release changed the identification file."""
    shipped = tmp_path / "workflows"
    shutil.copytree(PROJECT_ROOT / "workflows", shipped)
    released = identification_source().replace(
        'name="Initial interview"', 'name="Initial interview (2027)"', 1
    )
    (shipped / FILE).write_text(released, encoding="utf-8")
    web_engine.settings = dataclasses.replace(web_engine.settings, workflows_dir=shipped)
    return released


def test_a_waiting_shipped_file_is_shown_and_becomes_a_draft(web_engine, signed_in, tmp_path):
    web_engine.deploy_files(
        [SourceFile(FILE, with_new_task(identification_source()).encode())],
        actor="coordinator",
        change_note="referral elsewhere",
        origin=Origin.MODELLER,
    )
    client = signed_in("coordinator")
    before_release = client.get("/modeller/processes/identification").text
    assert 'id="shipped-waiting"' not in before_release  # the file on disk is what was edited
    assert "edited here, from version 1" in before_release

    released = _release(tmp_path, web_engine)
    page = client.get("/modeller/processes/identification").text
    assert 'id="shipped-waiting"' in page
    assert "/modeller/processes/identification/compare?old=1&amp;new=2" in page
    release = "/modeller/processes/identification/compare?old=1&amp;new=shipped"
    assert release in page
    compared = client.get(release.replace("&amp;", "&"))
    assert compared.status_code == 200
    assert "identification: version 1 → the new shipped file" in compared.text
    assert "<code>initial_interview</code>" in compared.text  # the release renamed it
    nothing = client.get("/modeller/processes/child_referral/compare?old=1&new=shipped")
    assert nothing.status_code == 404
    assert 'id="shipped-waiting"' not in client.get("/modeller/processes/child_referral").text

    carried = client.post(
        f"/modeller/files/{FILE}/draft-from-shipped", data={"csrf_token": csrf_from(page)}
    )
    assert carried.status_code == 302
    assert carried.headers["Location"].endswith(f"/modeller/files/{FILE}")
    source, is_draft = web_engine.working_source(FILE, actor="coordinator")
    assert is_draft and source == released
    # Nothing went live: the edit is still the version new cases get.
    assert web_engine.versions("identification", actor="coordinator")[0].version == 2


def test_only_coordinators_start_a_draft_from_a_shipped_file(web_engine, signed_in):
    client = signed_in("caseworker")
    token = csrf_from(client.get("/").text)
    refused = client.post(f"/modeller/files/{FILE}/draft-from-shipped", data={"csrf_token": token})
    assert refused.status_code == 403
    assert web_engine.working_source(FILE, actor="coordinator")[1] is False
