"""Parallel multi-instance: one task per family member, listed and collected in input order."""

from __future__ import annotations

from tests.bpmn.diagrams import CW, open_tasks
from tests.support import bpmn as b

RESULT_FORM = {"type": "object", "properties": {"result": {"type": "string"}}}
MEMBERS = ["Mother", "Uncle", "Sister"]


def contact_each_member() -> str:
    contact = (
        '<bpmn:userTask id="contact" name="Contact family member"><bpmn:extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename"'
        ' value="result.json"/></spiffworkflow:properties></bpmn:extensionElements>'
        '<bpmn:multiInstanceLoopCharacteristics isSequential="false">'
        "<bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>"
        "<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"
        '<bpmn:inputDataItem id="member" name="member"/>'
        '<bpmn:outputDataItem id="result" name="result"/>'
        "</bpmn:multiInstanceLoopCharacteristics></bpmn:userTask>"
    )
    expected = repr([f"{m} reached" for m in MEMBERS])
    return _around(contact, f"results == {expected}")


def test_siblings_list_in_input_order_and_outputs_follow_the_inputs(engine, tmp_path, people):
    path = b.write(
        tmp_path / "wf", "tracing.bpmn", contact_each_member(), {"result.json": RESULT_FORM}
    )
    engine.deploy([path], actor="system")
    engine.start("tracing", actor=people["caseworker"], data={"members": MEMBERS})
    siblings = open_tasks(engine, people["caseworker"])
    assert [t.title for t in siblings] == [f"Contact family member: {m}" for m in MEMBERS]
    for task in reversed(siblings):  # finished last to first
        member = task.title.split(": ")[1]
        engine.complete_task(
            task.id, actor=people["caseworker"], answers={"result": f"{member} reached"}
        )
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["in_order"]


def _contact(loop: str) -> str:
    return (
        '<bpmn:userTask id="contact" name="Contact family member"><bpmn:extensionElements>'
        '<spiffworkflow:properties><spiffworkflow:property name="formJsonSchemaFilename"'
        ' value="result.json"/></spiffworkflow:properties></bpmn:extensionElements>'
        f"{loop}</bpmn:userTask>"
    )


def _around(task: str, condition: str) -> str:
    return b.definitions(
        b.process(
            "tracing",
            b.start(),
            task,
            b.exclusive("order_gw", default="f_wrong"),
            b.user_task("in_order", "As expected", "result.json"),
            b.user_task("out_of_order", "Not as expected", "result.json"),
            b.end(),
            b.end("e2"),
            *b.chain("start", "contact", "order_gw"),
            b.flow("order_gw", "in_order", condition),
            b.flow("order_gw", "out_of_order", fid="f_wrong"),
            b.flow("in_order", "end"),
            b.flow("out_of_order", "e2"),
            lanes={CW: ["start", "contact", "order_gw", "in_order", "out_of_order", "end", "e2"]},
        )
    )


def test_sequential_instances_come_one_at_a_time_in_input_order(engine, tmp_path, people):
    loop = (
        '<bpmn:multiInstanceLoopCharacteristics isSequential="true">'
        "<bpmn:loopDataInputRef>members</bpmn:loopDataInputRef>"
        "<bpmn:loopDataOutputRef>results</bpmn:loopDataOutputRef>"
        '<bpmn:inputDataItem id="member" name="member"/>'
        '<bpmn:outputDataItem id="result" name="result"/>'
        "</bpmn:multiInstanceLoopCharacteristics>"
    )
    expected = repr([f"{m} reached" for m in MEMBERS])
    diagram = _around(_contact(loop), f"results == {expected}")
    engine.deploy(
        [b.write(tmp_path / "wf", "tracing.bpmn", diagram, {"result.json": RESULT_FORM})],
        actor="system",
    )
    engine.start("tracing", actor=people["caseworker"], data={"members": MEMBERS})
    seen = []
    for _ in MEMBERS:
        [task] = open_tasks(engine, people["caseworker"])  # never two at once
        seen.append(task.title)
        member = task.title.split(": ")[1]
        engine.complete_task(
            task.id, actor=people["caseworker"], answers={"result": f"{member} reached"}
        )
    assert seen == [f"Contact family member: {m}" for m in MEMBERS]
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["in_order"]


def test_a_standard_loop_repeats_the_task_until_its_condition_holds(engine, tmp_path, people):
    loop = (
        '<bpmn:standardLoopCharacteristics loopMaximum="5">'
        # BPMN: the activity loops *while* the condition holds (tested after each round).
        "<bpmn:loopCondition>result != 'reached'</bpmn:loopCondition>"
        "</bpmn:standardLoopCharacteristics>"
    )
    diagram = _around(_contact(loop), "result == 'reached'")
    engine.deploy(
        [b.write(tmp_path / "wf", "tracing.bpmn", diagram, {"result.json": RESULT_FORM})],
        actor="system",
    )
    engine.start("tracing", actor=people["caseworker"])
    answers = ["no answer", "no answer", "reached"]
    for answer in answers:
        [task] = open_tasks(engine, people["caseworker"])
        assert task.bpmn_id == "contact"
        engine.complete_task(task.id, actor=people["caseworker"], answers={"result": answer})
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["in_order"]
