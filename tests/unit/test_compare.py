"""Comparing versions counts what a pathway does, not how a modeller happened to write it."""

from __future__ import annotations

from lxml import etree

from engine.modeller.compare import compare
from tests.support.pathway_edits import identification_source, with_new_task


def _pretty(source: str) -> str:
    parser = etree.XMLParser(remove_blank_text=True)
    root = etree.fromstring(source.encode(), parser)
    for gateway in root.iter("{http://www.omg.org/spec/BPMN/20100524/MODEL}exclusiveGateway"):
        outgoing = [c for c in gateway if c.tag.endswith("outgoing")]
        for child in outgoing:
            gateway.remove(child)
        for child in reversed(outgoing):
            gateway.append(child)
    return etree.tostring(root, pretty_print=True).decode()


def test_reformatting_and_reordering_references_is_no_change():
    original = identification_source()
    assert compare(original, _pretty(original)).is_empty


def test_an_added_branch_is_added_and_its_gateway_and_lane_changed():
    original = identification_source()
    result = compare(original, _pretty(with_new_task(original)))
    assert {c.element_id for c in result.added} == {
        "refer_elsewhere",
        "referred_elsewhere",
        "flow_other_setting",
        "flow_refer_done",
    }
    assert {c.element_id for c in result.changed} == {"presumed_gw", "identification_lane_0"}
    back = compare(with_new_task(original), original)
    assert {c.element_id for c in back.removed} == {c.element_id for c in result.added}


def test_a_changed_condition_is_a_change():
    original = identification_source()
    edited = original.replace("presumed_victim == True", "presumed_victim == 'yes'", 1)
    assert [c.element_id for c in compare(original, edited).changed] == [
        "flow_presumed_gw_to_minor_gw"
    ]
