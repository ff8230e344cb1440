"""The modeller's engine side: check, lint, drafts, simulation-gated deploys, comparison, forms.

Runs on the shipped pathways (``web_engine`` deploys ``workflows/``), with the
coordinator as the editor.
"""

from __future__ import annotations

import hashlib
import json

import pytest

from engine.audit.search import AuditFilters
from engine.definitions.lineage import Origin
from engine.definitions.sources import SourceFile
from engine.errors import DeploymentRefused, InvalidRequest, PermissionDenied
from engine.facade.modeller import SimulationFailed
from tests.support.intake_versions import deploy_intake, intake_text
from tests.support.pathway_edits import (
    NEW_TASK,
    identification_source,
    with_a_broken_rule,
    with_new_task,
)
from tests.support.web import ADULT_SCREENING

FILE = "identification.bpmn"
XXE = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&x;'
    "</bpmn:definitions>"
)
BOMB = (
    '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">'
    '<!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]>'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL">&c;'
    "</bpmn:definitions>"
)


def _messages(check):
    return {(p.element_id, p.message) for p in check.problems}


def _deploy_directly(engine, source: str) -> None:
    """Straight to deployment, skipping the scenario run the modeller's deploy adds (tested above)."""
    engine.deploy_files([SourceFile(FILE, source.encode())], actor="coordinator", change_note="x")


def _versions(engine, key="identification"):
    return [v.version for v in engine.versions(key, actor="coordinator")]


def test_the_list_shows_each_file_with_versions_and_running_cases(web_engine):
    web_engine.start("identification", actor="first_responder")
    files = {f.file_name: f for f in web_engine.pathway_files(actor="coordinator")}
    assert set(files) == {
        "asylum_referral.bpmn",
        "child_referral.bpmn",
        "criminal_justice_support.bpmn",
        "identification.bpmn",
        "return_reintegration.bpmn",
    }
    lines = {p.process_key: p for p in files[FILE].processes}
    assert lines["identification"].version == 1 and lines["identification"].running == 1
    assert lines["verification"].running == 0
    with pytest.raises(PermissionDenied):
        web_engine.pathway_files(actor="caseworker")


def test_a_missing_form_is_flagged_on_its_element(web_engine):
    source = with_new_task(identification_source(), form="nowhere.json")
    check = web_engine.check_source(FILE, source, actor="coordinator")
    assert any(
        element == NEW_TASK and "nowhere.json" in message for element, message in _messages(check)
    )
    fixed = web_engine.check_source(
        FILE, with_new_task(identification_source()), actor="coordinator"
    )
    assert fixed.problems == [] and fixed.warnings == []


def test_lint_names_dead_ends_and_gateways_without_default(web_engine):
    source = with_new_task(identification_source()).replace(
        '<bpmn:sequenceFlow id="flow_refer_done" sourceRef="refer_elsewhere" '
        'targetRef="referred_elsewhere" />',
        "",
    )
    source = source.replace(' default="flow_not_presumed"', "", 1)
    warnings = {
        (w.element_id, w.message)
        for w in web_engine.check_source(FILE, source, actor="coordinator").warnings
    }
    assert (NEW_TASK, "dead end: nothing leaves this step and it is no end event") in warnings
    assert ("referred_elsewhere", "nothing leads to this step") in warnings
    assert ("presumed_gw", "no default flow: a case that matches no condition stops here") in (
        warnings
    )


@pytest.mark.parametrize("hostile", [XXE, BOMB], ids=["xxe", "entity-bomb"])
def test_hostile_xml_is_refused_and_never_stored(web_engine, hostile):
    check = web_engine.check_source("evil.bpmn", hostile, actor="coordinator")
    assert check.problems and "DOCTYPE" in check.problems[0].message
    with pytest.raises(InvalidRequest, match="DOCTYPE"):
        web_engine.save_pathway_draft("evil.bpmn", hostile, actor="coordinator")
    with pytest.raises(DeploymentRefused):
        web_engine.deploy_source("evil.bpmn", hostile, actor="coordinator", change_note="x")
    assert "evil.bpmn" not in {f.file_name for f in web_engine.pathway_files(actor="coordinator")}


def test_code_in_a_condition_is_refused_at_validation(web_engine):
    source = with_new_task(identification_source(), condition="__import__('os').system('id')")
    problems = _messages(web_engine.check_source(FILE, source, actor="coordinator"))
    assert any(element == "flow_other_setting" for element, _ in problems), problems


def test_drafts_are_kept_apart_from_what_is_live(web_engine):
    edited = with_new_task(identification_source())
    web_engine.save_pathway_draft(FILE, edited, actor="coordinator")
    assert web_engine.working_source(FILE, actor="coordinator") == (edited, True)
    assert _versions(web_engine) == [1]  # not live
    web_engine.discard_pathway_draft(FILE, actor="coordinator")
    assert web_engine.working_source(FILE, actor="coordinator")[1] is False
    actions = [
        e.action
        for e in web_engine.audit_search(AuditFilters(actor="coordinator"), actor="admin")[0]
    ]
    assert actions == ["definition:draft:discarded", "definition:draft:saved"]


def test_deploying_a_draft_makes_the_next_version_for_new_cases_only(web_engine):
    before = web_engine.start("identification", actor="first_responder")
    with pytest.raises(InvalidRequest, match="change note"):
        web_engine.deploy_source(FILE, identification_source(), actor="coordinator", change_note="")
    edited = with_new_task(identification_source())
    web_engine.save_pathway_draft(FILE, edited, actor="coordinator")
    deployed = web_engine.deploy_source(
        FILE, edited, actor="coordinator", change_note="Referral for other settings"
    )
    assert {(d.process_key, d.version) for d in deployed if d.changed} >= {("identification", 2)}
    assert web_engine.working_source(FILE, actor="coordinator")[1] is False  # draft is gone
    assert web_engine.versions("identification", actor="coordinator")[0].change_note == (
        "Referral for other settings"
    )

    after = web_engine.start("identification", actor="first_responder")
    answers = {**ADULT_SCREENING, "contact_setting": "other"}
    answers.pop("indicators_coercion_at_destination")  # no means: not presumed
    for started in (before, after):
        task = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
        web_engine.complete_task(task.id, actor="first_responder", answers=answers)
    new_ids = [t.bpmn_id for t in web_engine.tasks_for("first_responder", case_ref=after.case_ref)]
    old_ids = [t.bpmn_id for t in web_engine.tasks_for("first_responder", case_ref=before.case_ref)]
    assert new_ids == [NEW_TASK]
    assert old_ids == ["record_not_presumed"]  # version 1 keeps its own path


def test_a_draft_that_breaks_a_proven_rule_is_not_deployed(web_engine):
    broken = with_a_broken_rule(identification_source())
    with pytest.raises(SimulationFailed) as refused:
        web_engine.deploy_source(FILE, broken, actor="coordinator", change_note="oops")
    failed = [r for r in refused.value.results if not r.passed]
    assert failed and all(r.detail for r in failed)
    assert "adult_identification_to_recovery.yaml" in {r.file for r in failed}
    assert _versions(web_engine) == [1]
    blocked = web_engine.audit_search(
        AuditFilters(action="definition:deploy:blocked"), actor="admin"
    )[0]
    assert blocked[0].detail["file"] == FILE
    # Validating and simulating ran the coordinator's code: each is audited with its hash.
    digest = hashlib.sha256(broken.encode()).hexdigest()
    for action in ("definition:validated", "definition:simulated"):
        [event] = web_engine.audit_search(AuditFilters(action=action), actor="admin")[0]
        assert (event.actor, event.detail) == (
            "coordinator",
            {"file": FILE, "source_sha256": digest},
        )


def test_compare_lists_what_was_added_and_changed(web_engine):
    _deploy_directly(web_engine, with_new_task(identification_source()))
    comparison, before, after = web_engine.compare_versions(
        "identification", 1, 2, actor="coordinator"
    )
    assert {c.element_id for c in comparison.added} == {
        NEW_TASK,
        "referred_elsewhere",
        "flow_other_setting",
        "flow_refer_done",
    }
    assert {c.element_id for c in comparison.changed} == {"presumed_gw", "identification_lane_0"}
    assert comparison.removed == []
    assert NEW_TASK not in before and NEW_TASK in after
    same, _, _ = web_engine.compare_versions("identification", 2, 2, actor="coordinator")
    assert same.is_empty


def test_a_saved_form_reaches_the_next_deployment_and_not_running_versions(web_engine):
    original = json.loads(web_engine.form_text("not_presumed.json", actor="coordinator"))
    with pytest.raises(InvalidRequest, match="JSON"):
        web_engine.save_form("not_presumed.json", "{not json", actor="coordinator")
    changed = {**original, "title": "Not presumed (edited)"}
    web_engine.save_form("not_presumed.json", json.dumps(changed), actor="coordinator")
    assert json.loads(web_engine.form_text("not_presumed.json", actor="coordinator")) == changed

    running = web_engine.start("identification", actor="first_responder")
    _deploy_directly(web_engine, with_new_task(identification_source()))
    from engine.modeller import catalogue

    with web_engine.read() as session:
        v1, v2 = (
            json.loads(catalogue.version_source(session, "identification", n).forms_json)
            for n in (1, 2)
        )
    assert v1["not_presumed.json"]["title"] == original["title"]
    assert v2["not_presumed.json"]["title"] == "Not presumed (edited)"
    assert running.version == 1


def test_a_pathway_whose_forms_came_from_its_own_folder_can_be_edited(engine, people, tmp_path):
    """Its forms are not in forms/: the modeller falls back on the ones its live version was
    deployed with, for the checks, the scenarios and the deployment."""
    deploy_intake(engine, tmp_path / "v1")
    edited = intake_text(safety_check=False).replace("Screen the person", "Screen them", 1)
    check = engine.check_source("intake.bpmn", edited, actor=people["coordinator"])
    assert check.problems == []
    engine.deploy_files(
        [SourceFile("intake.bpmn", edited.encode())],
        actor=people["coordinator"],
        change_note="wording",
        origin=Origin.MODELLER,
    )
    assert engine.versions("intake", actor=people["coordinator"])[0].version == 2
