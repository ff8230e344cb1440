"""A modeller rename of a step the accountability outputs read is caught before deploy
(engine/accountability/contract.py), with what reads it named."""

from __future__ import annotations

import json
import re

import pytest

from engine.config import PROJECT_ROOT
from engine.errors import DeploymentRefused
from tests.support.pathway_edits import identification_source, with_new_task

FILE = "identification.bpmn"


def _renamed(source: str, old: str, new: str) -> str:
    """The element's id changed everywhere it is referred to, as the modeller would."""
    return re.sub(rf"\b{old}(?=[\"<_])", new, source)


def _messages(check) -> dict[str, str]:
    return {p.element_id: p.message for p in check.problems}


def test_renaming_a_step_the_commitments_read_is_refused_with_them_named(web_engine):
    renamed = _renamed(identification_source(), "safety_risk_plan", "safety_plan")
    assert 'id="safety_plan"' in renamed and 'id="safety_risk_plan"' not in renamed
    check = web_engine.check_source(FILE, renamed, actor="coordinator")
    message = _messages(check)["safety_risk_plan"]
    assert "the commitment “Partners assessed the danger from the trafficker”" in message
    assert "the commitment “Treated as a victim of crime" in message
    assert "engine/data/commitments.toml" in message
    with pytest.raises(DeploymentRefused) as refused:
        web_engine.deploy_source(FILE, renamed, actor="coordinator", change_note="rename")
    assert any(p.element_id == "safety_risk_plan" for p in refused.value.problems)
    assert web_engine.versions("identification", actor="coordinator")[0].version == 1


def test_removing_a_field_the_export_and_referrals_read_is_refused(web_engine):
    schema = json.loads((PROJECT_ROOT / "forms" / "safety_risk_plan.json").read_text())
    schema["properties"].pop("risk_level")
    schema["required"] = [f for f in schema.get("required", []) if f != "risk_level"]
    web_engine.save_form("safety_risk_plan.json", json.dumps(schema), actor="coordinator")
    check = web_engine.check_source(FILE, identification_source(), actor="coordinator")
    message = _messages(check)["safety_risk_plan"]
    assert message.startswith("the answer 'risk_level' of step 'safety_risk_plan' is read by")
    assert "the commitment “Partners assessed the danger from the trafficker”" in message
    assert (
        "referral summaries for Shelter or safe accommodation (engine/data/referrals.toml)"
        in message
    )


def test_a_change_that_keeps_what_is_read_deploys(web_engine):
    check = web_engine.check_source(
        FILE, with_new_task(identification_source()), actor="coordinator"
    )
    assert check.problems == []


def test_the_file_deploy_is_held_to_it_too(web_engine, tmp_path):
    renamed = _renamed(identification_source(), "information_on_rights", "rights_explained")
    (tmp_path / FILE).write_text(renamed, encoding="utf-8")
    with pytest.raises(DeploymentRefused) as refused:
        web_engine.deploy([tmp_path / FILE], actor="system", change_note="rename")
    (problem,) = [p for p in refused.value.problems if p.element_id == "information_on_rights"]
    assert "the case page" in problem.message
    assert "“Informed orally and in writing" in problem.message


def test_a_step_only_a_referral_reads_is_held_too(web_engine):
    """medical_psychological_assistance is read for its answers only (referral summaries)."""
    renamed = _renamed(identification_source(), "medical_psychological_assistance", "health_care")
    message = _messages(web_engine.check_source(FILE, renamed, actor="coordinator"))[
        "medical_psychological_assistance"
    ]
    assert "referral summaries for Health services (engine/data/referrals.toml)" in message
