"""DMN decisions deploy as versions of their own and run through the sandbox."""

from __future__ import annotations

import pytest

from engine.errors import DeploymentRefused
from tests.integration.helpers import only_task
from tests.support import bpmn as b

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="age_defs" name="Age" namespace="https://protection-pathways.org/dmn">
  <decision id="age_group" name="Age group">
    <decisionTable id="age_table" hitPolicy="UNIQUE">
      <input id="in_age" label="Age">
        <inputExpression id="in_age_expr" typeRef="integer"><text>age</text></inputExpression>
      </input>
      <output id="out_group" name="age_group" typeRef="string" />
      <rule id="rule_child">
        <inputEntry id="e1"><text>{child_cell}</text></inputEntry>
        <outputEntry id="o1"><text>"child"</text></outputEntry>
      </rule>
      <rule id="rule_adult">
        <inputEntry id="e2"><text>&gt;= 18</text></inputEntry>
        <outputEntry id="o2"><text>"adult"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
"""

AGE_FORM = {"type": "object", "properties": {"age": {"type": "integer"}}, "required": ["age"]}
SEE_FORM = {"type": "object", "properties": {"ok": {"type": "boolean"}}}


def _process() -> str:
    rule = (
        '<bpmn:businessRuleTask id="decide" name="Decide age group"><bpmn:extensionElements>'
        "<spiffworkflow:calledDecisionId>age_group</spiffworkflow:calledDecisionId>"
        "</bpmn:extensionElements></bpmn:businessRuleTask>"
    )
    return b.definitions(
        b.process(
            "ages",
            b.start(),
            b.user_task("ask", "Ask age", "age.json"),
            rule,
            b.exclusive("gw", default="f_adult"),
            b.user_task("child_path", "Child path", "see.json"),
            b.user_task("adult_path", "Adult path", "see.json"),
            b.end(),
            b.end("end2"),
            *b.chain("start", "ask", "decide", "gw"),
            b.flow("gw", "child_path", 'age_group == "child"'),
            b.flow("gw", "adult_path", fid="f_adult"),
            b.flow("child_path", "end"),
            b.flow("adult_path", "end2"),
            lanes={
                "Caseworker": [
                    "start",
                    "ask",
                    "decide",
                    "gw",
                    "child_path",
                    "adult_path",
                    "end",
                    "end2",
                ]
            },
        )
    )


def _deploy(engine, tmp_path, child_cell="&lt; 18"):
    folder = tmp_path / "dmn"
    dmn = b.write(folder, "age.dmn", DMN.replace("{child_cell}", child_cell))
    bpmn = b.write(folder, "ages.bpmn", _process(), {"age.json": AGE_FORM, "see.json": SEE_FORM})
    return engine.deploy([dmn, bpmn], actor="system")


@pytest.mark.parametrize(("age", "path"), [(16, "child_path"), (30, "adult_path")])
def test_a_decision_table_routes_the_case(engine, tmp_path, people, age, path):
    results = _deploy(engine, tmp_path)
    assert {(r.process_key, r.kind) for r in results} == {("age_group", "dmn"), ("ages", "bpmn")}
    engine.start("ages", actor=people["caseworker"])
    task = only_task(engine, people["caseworker"])
    engine.complete_task(task.id, actor=people["caseworker"], answers={"age": age})
    assert only_task(engine, people["caseworker"]).bpmn_id == path


def test_hostile_decision_cells_are_refused(engine, tmp_path):
    with pytest.raises(DeploymentRefused) as excinfo:
        _deploy(engine, tmp_path, child_cell="__import__('os').system('id')")
    assert any("age.dmn#e1: DMN expression" in str(p) for p in excinfo.value.problems)


def test_a_process_using_an_undeployed_decision_is_refused(engine, tmp_path):
    bpmn = b.write(
        tmp_path / "x", "ages.bpmn", _process(), {"age.json": AGE_FORM, "see.json": SEE_FORM}
    )
    with pytest.raises(DeploymentRefused) as excinfo:
        engine.deploy([bpmn], actor="system")
    assert any(
        str(p).startswith("ages.bpmn#decide:") and "age_group" in str(p)
        for p in excinfo.value.problems
    )
