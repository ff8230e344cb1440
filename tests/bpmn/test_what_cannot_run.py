"""Deploy refuses, naming the element, whatever the engine cannot run; never a traceback."""

from __future__ import annotations

import pytest

from engine.errors import DeploymentRefused, InvalidRequest
from tests.bpmn.diagrams import CW, deploy, open_tasks
from tests.integration.test_decisions import DMN
from tests.support import bpmn as b


def _one_step(step: str, *, lanes: dict | None = None, condition: str | None = None) -> str:
    flows = [*b.chain("start", "step", "end")]
    if condition is not None:
        flows = [
            b.flow("start", "step"),
            '<bpmn:exclusiveGateway id="gw" default="f_other"/>',
            b.flow("step", "gw"),
            f'<bpmn:sequenceFlow id="f_cond" sourceRef="gw" targetRef="end">{condition}'
            "</bpmn:sequenceFlow>",
            b.flow("gw", "end", fid="f_other"),
        ]
    return b.definitions(
        b.process(
            "one_step",
            b.start(),
            step,
            b.end(),
            *flows,
            lanes=lanes if lanes is not None else {CW: ["start", "step", "gw", "end"]},
        )
    )


def _refusal(engine, tmp_path, text: str) -> list[str]:
    with pytest.raises(DeploymentRefused) as refused:
        deploy(engine, tmp_path, text)
    return [str(p) for p in refused.value.problems]


@pytest.mark.parametrize(
    ("text", "element", "words"),
    [
        (_one_step('<bpmn:serviceTask id="step"/>'), "step", "service tasks need a connector"),
        (
            _one_step('<bpmn:task id="step"/>', lanes={CW: ["start", "end"]}),
            "step",
            "in no lane",
        ),
        (
            _one_step(
                '<bpmn:task id="step"/>',
                condition="<bpmn:conditionExpression>${presumed}</bpmn:conditionExpression>",
            ),
            "f_cond",
            "JUEL",
        ),
        (
            _one_step(
                '<bpmn:task id="step"/>',
                condition='<bpmn:conditionExpression language="feel">age &gt; 18'
                "</bpmn:conditionExpression>",
            ),
            None,  # the BPMN schema check refuses it first, naming the attribute
            "attribute 'language'",
        ),
        (
            _one_step(
                '<bpmn:scriptTask id="step" scriptFormat="javascript"><bpmn:script>x = 1'
                "</bpmn:script></bpmn:scriptTask>"
            ),
            "step",
            "'javascript' code is not supported",
        ),
    ],
)
def test_what_the_engine_cannot_run_is_refused_by_name(engine, tmp_path, text, element, words):
    problems = _refusal(engine, tmp_path, text)
    where = f"#{element}:" if element else ""
    assert any(where in p and words in p for p in problems), problems


def _dmn(**changes: str) -> str:
    text = DMN.format(child_cell="&lt; 18")
    for old, new in changes.items():
        text = text.replace(old.replace("_", " "), new)
    return text


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (_dmn(hitPolicy="hitPolicy", UNIQUE="PRIORITY"), "hit policy PRIORITY is not supported"),
        (_dmn(UNIQUE='COLLECT" aggregation="SUM'), "hit policy COLLECT SUM"),
        (
            _dmn(
                **{
                    "</rule>\n      <rule id": '<inputEntry id="x"><text>1</text></inputEntry></rule><rule id'
                }
            ),
            "2 input entries for 1 inputs",
        ),
        (DMN.format(child_cell="[0..17]"), "FEEL ranges"),
        (
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D"'
            ' namespace="n"><decision id="lit" name="L"><literalExpression id="le"><text>1</text>'
            "</literalExpression></decision></definitions>",
            "exactly one decision table",
        ),
        (
            '<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" id="d" name="D"'
            ' namespace="n"></definitions>',
            "cannot read this file",
        ),
    ],
)
def test_decision_tables_spiffworkflow_cannot_evaluate_are_refused(engine, tmp_path, text, words):
    path = b.write(tmp_path / "dmn", "rule.dmn", text)
    with pytest.raises(DeploymentRefused) as refused:
        engine.deploy([path], actor="system")
    problems = [str(p) for p in refused.value.problems]
    assert any(words in p for p in problems), problems


def test_a_step_without_a_form_takes_only_an_empty_answer(engine, tmp_path, people):
    deploy(engine, tmp_path, _one_step('<bpmn:manualTask id="step" name="Call the shelter"/>'))
    engine.start("one_step", actor=people["caseworker"])
    [step] = open_tasks(engine, people["caseworker"])
    with pytest.raises(InvalidRequest, match="has no form"):
        engine.complete_task(
            step.id, actor=people["caseworker"], answers={"case": "x", "__class__": "y"}
        )
    done = engine.complete_task(step.id, actor=people["caseworker"], answers={})
    assert done.instance_status == "completed"
