"""Lint warns about what runs but is probably not meant, and stays quiet about what BPMN
starts without a sequence flow: event sub-processes and compensation handlers."""

from __future__ import annotations

from lxml import etree

from engine.modeller.lint import lint

NS = 'xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"'


def _warnings(body: str) -> set[tuple[str, str]]:
    root = etree.fromstring(f'<definitions {NS}><process id="p">{body}</process></definitions>')
    return {(w.element_id, w.message) for w in lint(root)}


MAIN = (
    '<startEvent id="s"/><userTask id="t"/><endEvent id="e"/>'
    '<sequenceFlow id="f1" sourceRef="s" targetRef="t"/>'
    '<sequenceFlow id="f2" sourceRef="t" targetRef="e"/>'
)


def test_event_sub_processes_and_compensation_handlers_need_no_flow():
    inner = (
        '<startEvent id="es_start"><messageEventDefinition/></startEvent>'
        '<userTask id="es_task"/><endEvent id="es_end"/>'
        '<sequenceFlow id="g1" sourceRef="es_start" targetRef="es_task"/>'
        '<sequenceFlow id="g2" sourceRef="es_task" targetRef="es_end"/>'
    )
    assert (
        _warnings(
            MAIN
            + f'<subProcess id="es" triggeredByEvent="true">{inner}</subProcess>'
            + '<serviceTask id="undo" isForCompensation="true"/>'
        )
        == set()
    )


def test_a_transaction_is_a_step_and_a_graph_of_its_own():
    found = _warnings(
        '<startEvent id="s"/><transaction id="tx"><startEvent id="ts"/><userTask id="lost"/>'
        '</transaction><endEvent id="e"/>'
        '<sequenceFlow id="f1" sourceRef="s" targetRef="tx"/>'
        '<sequenceFlow id="f2" sourceRef="tx" targetRef="e"/>'
    )
    assert found == {
        ("ts", "dead end: nothing leaves this step and it is no end event"),
        ("lost", "nothing leads to this step"),
        ("lost", "dead end: nothing leaves this step and it is no end event"),
    }


def test_an_ordinary_sub_process_without_flows_is_still_flagged():
    found = _warnings(MAIN + '<subProcess id="stray"/>')
    assert ("stray", "nothing leads to this step") in found
