"""The modeller over HTTP: who may use it, the editor's JSON calls, uploads, forms, comparison."""

from __future__ import annotations

import io
import re

import pytest

from tests.support.pathway_edits import identification_source, with_a_broken_rule, with_new_task
from tests.support.web import csrf_from

FILE = "identification.bpmn"
PLAIN_BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d" targetNamespace="x">
  <process id="shelter_intake" name="Shelter intake" isExecutable="true">
    <laneSet id="ls"><lane id="l1" name="Caseworker">
      <flowNodeRef>s</flowNodeRef><flowNodeRef>welcome</flowNodeRef><flowNodeRef>e</flowNodeRef>
    </lane></laneSet>
    <startEvent id="s"/>
    <userTask id="welcome" name="Welcome the person"/>
    <endEvent id="e"/>
    <sequenceFlow id="f1" sourceRef="s" targetRef="welcome"/>
    <sequenceFlow id="f2" sourceRef="welcome" targetRef="e"/>
  </process>
</definitions>
"""


def _upload(client, content: str, name: str):
    return client.post(
        "/modeller/upload",
        data={
            "csrf_token": csrf_from(client.get("/modeller/").text),
            "diagram": (io.BytesIO(content.encode()), name),
        },
        content_type="multipart/form-data",
    )


def _json(client, path, body):
    token = csrf_from(client.get("/modeller/").text)
    return client.post(path, json=body, headers={"X-CSRF-Token": token})


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "first_responder"])
def test_the_modeller_is_for_coordinators(signed_in, who):
    client = signed_in(who)
    for path in ("/modeller/", f"/modeller/files/{FILE}", "/modeller/forms"):
        assert client.get(path).status_code == 403
    assert client.post(f"/modeller/files/{FILE}/validate", json={"source": ""}).status_code == 403


def test_the_list_links_files_versions_and_forms(signed_in):
    page = signed_in("coordinator").get("/modeller/").text
    assert f'href="/modeller/files/{FILE}"' in page
    assert 'href="/modeller/processes/identification"' in page
    assert 'href="/modeller/forms"' in page


def test_the_editor_page_carries_the_source_roles_and_forms(signed_in):
    page = signed_in("coordinator").get(f"/modeller/files/{FILE}").text
    assert "bpmn-modeler.production.min.js" in page and "modeller.js" in page
    assert 'id="editor-data"' in page and "consent_to_referral" in page
    assert "child_protection_officer" in page and "screening.json" in page


def test_validate_marks_a_missing_form_and_json_calls_need_csrf(signed_in):
    client = signed_in("coordinator")
    source = with_new_task(identification_source(), form="nowhere.json")
    assert (
        client.post(f"/modeller/files/{FILE}/validate", json={"source": source}).status_code == 400
    )
    checked = _json(client, f"/modeller/files/{FILE}/validate", {"source": source}).json
    assert checked["ok"] is False
    assert [p["element_id"] for p in checked["problems"]] == ["refer_elsewhere"]
    fine = _json(
        client,
        f"/modeller/files/{FILE}/validate",
        {"source": with_new_task(identification_source())},
    )
    assert fine.json == {"ok": True, "problems": [], "warnings": []}
    assert _json(client, f"/modeller/files/{FILE}/validate", {}).status_code == 400


def test_a_saved_draft_opens_in_the_editor(signed_in, web_engine):
    client = signed_in("coordinator")
    edited = with_new_task(identification_source())
    saved = _json(client, f"/modeller/files/{FILE}/draft", {"source": edited})
    assert saved.json["saved"] is True
    page = client.get(f"/modeller/files/{FILE}").text
    assert "Editing the saved draft" in page and "refer_elsewhere" in page
    assert "Saved" in client.get("/modeller/").text


def test_deploy_refuses_a_draft_that_breaks_a_scenario(signed_in, web_engine):
    client = signed_in("coordinator")
    refused = _json(
        client,
        f"/modeller/files/{FILE}/deploy",
        {"source": with_a_broken_rule(identification_source()), "note": "try"},
    )
    assert refused.status_code == 422
    assert refused.json["code"] == "simulation_failed"
    assert any(not s["passed"] and s["detail"] for s in refused.json["scenarios"])
    assert [v.version for v in web_engine.versions("identification", actor="coordinator")] == [1]


@pytest.mark.parametrize(
    "hostile",
    [
        '<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]><definitions>&x;</definitions>',
        '<!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;">]><definitions>&b;</definitions>',
    ],
    ids=["xxe", "entity-bomb"],
)
def test_an_uploaded_hostile_diagram_is_refused(signed_in, web_engine, hostile):
    client = signed_in("coordinator")
    response = _upload(client, hostile, "evil.bpmn")
    page = client.get(response.headers["Location"]).text
    assert "Not uploaded" in page and "DOCTYPE" in page
    assert 'href="/modeller/files/evil.bpmn"' not in page  # no draft was stored
    assert "evil" not in {d["file"] for d in web_engine.definitions(actor="system")}


def test_a_plain_bpmn_upload_deploys_once_its_task_has_a_form(signed_in, web_engine):
    client = signed_in("coordinator")
    response = _upload(client, PLAIN_BPMN, "shelter_intake.bpmn")
    assert response.headers["Location"].endswith("/modeller/files/shelter_intake.bpmn")
    checked = _json(
        client, "/modeller/files/shelter_intake.bpmn/validate", {"source": PLAIN_BPMN}
    ).json
    assert [p["element_id"] for p in checked["problems"]] == ["welcome"]
    with_form = PLAIN_BPMN.replace(
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"',
        '<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL" '
        'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core"',
    ).replace(
        '<userTask id="welcome" name="Welcome the person"/>',
        '<userTask id="welcome" name="Welcome the person"><extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename" '
        'value="information_on_rights.json"/></spiffworkflow:properties></extensionElements>'
        "</userTask>",
    )
    deployed = _json(
        client,
        "/modeller/files/shelter_intake.bpmn/deploy",
        {"source": with_form, "note": "Shelter intake drawn in another modeller"},
    )
    assert deployed.status_code == 200, deployed.json
    assert deployed.json["deployed"][0]["process_key"] == "shelter_intake"
    started = web_engine.start("shelter_intake", actor="caseworker")
    assert [t.bpmn_id for t in web_engine.tasks_for("caseworker", case_ref=started.case_ref)] == [
        "welcome"
    ]


def test_the_form_editor_previews_validates_and_saves(signed_in, web_engine):
    client = signed_in("coordinator")
    page = client.get("/modeller/forms/not_presumed.json")
    assert page.status_code == 200 and "not_presumed_reason" in page.text
    token = csrf_from(page.text)
    broken = client.post(
        "/modeller/forms/not_presumed.json",
        data={"schema": "{oops", "_action": "save", "csrf_token": token},
    )
    assert "Not saved" in broken.text and "{oops" in broken.text  # what was typed is kept
    preview = client.post(
        "/modeller/forms/new_form.json/preview",
        json={
            "schema": '{"type": "object", "properties": {"q": {"type": "string", "title": "Q?"}}}'
        },
        headers={"X-CSRF-Token": token},
    )
    assert preview.json["ok"] is True and "Q?" in preview.json["html"]
    saved = client.post(
        "/modeller/forms/new_form.json",
        data={
            "schema": '{"type": "object", "properties": {"q": {"type": "string"}}}',
            "_action": "save",
            "csrf_token": token,
        },
    )
    assert saved.status_code == 302
    assert "new_form.json" in client.get("/modeller/forms").text
    assert (
        client.get("/modeller/forms?new=other_form.json")
        .headers["Location"]
        .endswith("/modeller/forms/other_form.json?new=1")
    )


def test_compare_shows_added_and_changed_elements(signed_in, web_engine):
    from engine.definitions.sources import SourceFile

    web_engine.deploy_files(
        [SourceFile(FILE, with_new_task(identification_source()).encode())],
        actor="coordinator",
        change_note="new step",
    )
    client = signed_in("coordinator")
    versions = client.get("/modeller/processes/identification").text
    assert "new step" in versions
    page = client.get("/modeller/processes/identification/compare?old=1&new=2").text
    added = re.search(r'<ul id="added">(.*?)</ul>', page, re.S).group(1)
    assert "refer_elsewhere" in added and "flow_other_setting" in added
    assert "presumed_gw" in re.search(r'<ul id="changed">(.*?)</ul>', page, re.S).group(1)


def _new_file(client, name: str, role: str = "caseworker"):
    token = csrf_from(client.get("/modeller/").text)
    return client.post("/modeller/new", data={"csrf_token": token, "file_name": name, "role": role})


def test_a_new_pathway_starts_as_a_draft_in_our_conventions(signed_in, web_engine):
    client = signed_in("coordinator")
    response = _new_file(client, "court_liaison.bpmn", role="legal_advisor")
    assert response.headers["Location"].endswith("/modeller/files/court_liaison.bpmn")
    page = client.get(response.headers["Location"]).text
    assert "bpmn-modeler.production.min.js" in page and "Editing the saved draft" in page
    source, is_draft = web_engine.working_source("court_liaison.bpmn", actor="coordinator")
    assert is_draft and 'name="Legal advisor"' in source and 'processRef="court_liaison"' in source
    checked = _json(client, "/modeller/files/court_liaison.bpmn/validate", {"source": source})
    assert checked.json["problems"] == []

    again = _new_file(client, "court_liaison.bpmn")
    assert "already exists" in client.get(again.headers["Location"]).text
    for bad in ("identification.bpmn", "../escape.bpmn", "9lives.bpmn", "notes.txt"):
        refused = client.get(_new_file(client, bad).headers["Location"]).text
        assert "Not created" in refused, bad
    assert web_engine.working_source("identification.bpmn", actor="coordinator")[1] is False


DECISION = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="Shelter"
  namespace="x">
  <decision id="shelter_kind" name="Shelter kind">
    <decisionTable id="t">
      <input id="i" label="Age"><inputExpression id="ie" typeRef="integer"><text>age</text>
      </inputExpression></input>
      <output id="o" label="Shelter" name="shelter" typeRef="string"/>
      <rule id="r1"><inputEntry id="r1i"><text>&lt; 18</text></inputEntry>
        <outputEntry id="r1o"><text>"child shelter"</text></outputEntry></rule>
      <rule id="r2"><inputEntry id="r2i"><text>&gt;= 18</text></inputEntry>
        <outputEntry id="r2o"><text>"adult shelter"</text></outputEntry></rule>
    </decisionTable>
  </decision>
</definitions>
"""


def test_decision_files_are_uploaded_edited_and_deployed_beside_the_diagrams(signed_in, web_engine):
    client = signed_in("coordinator")
    response = _upload(client, DECISION, "shelter.dmn")
    assert response.headers["Location"].endswith("/modeller/files/shelter.dmn")
    page = client.get(response.headers["Location"]).text
    assert "dmn-modeler.production.min.js" in page and "decision_editor.js" in page
    assert "bpmn-modeler" not in page and "Download .dmn" in page
    # dmn-js needs style attributes: that page alone allows inline styles, never inline scripts.
    policy = client.get("/modeller/files/shelter.dmn").headers["Content-Security-Policy"]
    assert "style-src 'self' 'unsafe-inline'" in policy and "script-src 'self';" in policy
    diagram_policy = client.get(f"/modeller/files/{FILE}").headers["Content-Security-Policy"]
    assert "unsafe-inline" not in diagram_policy

    broken = DECISION.replace("<text>&lt; 18</text>", "<text>&lt; 18 ]]</text>")
    checked = _json(client, "/modeller/files/shelter.dmn/validate", {"source": broken}).json
    assert [p["file"] for p in checked["problems"]] == ["shelter.dmn"], checked
    deployed = _json(
        client, "/modeller/files/shelter.dmn/deploy", {"source": DECISION, "note": "Shelters"}
    )
    assert deployed.status_code == 200, deployed.json
    assert deployed.json["deployed"] == [
        {
            "process_key": "shelter_kind",
            "kind": "dmn",
            "version": 1,
            "changed": True,
            "file": "shelter.dmn",
            "kept_edit": False,
            "shipped_pending": False,
        }
    ]
    listing = client.get("/modeller/").text
    assert 'href="/modeller/files/shelter.dmn"' in listing
    editor = client.get("/modeller/files/court.bpmn")
    assert editor.status_code == 404
    # The diagram editor offers the deployed decision to business rule tasks.
    identification = client.get(f"/modeller/files/{FILE}").text
    assert "shelter_kind" in identification

    blank = _new_file(client, "screening_rules.dmn")
    source, _ = web_engine.working_source("screening_rules.dmn", actor="coordinator")
    assert 'decision id="screening_rules"' in source
    assert client.get(blank.headers["Location"]).status_code == 200
    checked = _json(client, "/modeller/files/screening_rules.dmn/validate", {"source": source})
    assert checked.json["problems"] == [], checked.json
