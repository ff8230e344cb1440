"""The shipped pathways read well in a modeller and their forms are complete and consistent."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

import pytest
from lxml import etree

from engine.config import PROJECT_ROOT
from engine.forms.schemas import declared_fields, schema_problems
from engine.rules.ilo_ec import CATALOGUE, Dimension
from engine.users.roles import is_valid_role

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "bpmndi": "http://www.omg.org/spec/BPMN/20100524/DI",
    "dc": "http://www.omg.org/spec/DD/20100524/DC",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}
DIAGRAMS = sorted((PROJECT_ROOT / "workflows").glob("*.bpmn"))
FORMS = {p.name: json.loads(p.read_text()) for p in (PROJECT_ROOT / "forms").glob("*.json")}
FLOW_NODES = (
    "startEvent",
    "endEvent",
    "intermediateCatchEvent",
    "userTask",
    "manualTask",
    "scriptTask",
    "callActivity",
    "exclusiveGateway",
    "parallelGateway",
    "businessRuleTask",
)


def _bounds(root) -> dict[str, tuple[float, float, float, float]]:
    found = {}
    for shape in root.iterfind(".//bpmndi:BPMNShape", NS):
        b = shape.find("dc:Bounds", NS)
        found[shape.get("bpmnElement")] = tuple(
            float(b.get(k)) for k in ("x", "y", "width", "height")
        )
    return found


def _overlap(a, b) -> bool:
    ax, ay, aw, ah = a
    bx, by, bw, bh = b
    return ax < bx + bw and bx < ax + aw and ay < by + bh and by < ay + ah


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_diagram_is_laid_out_readably(path: Path):
    root = etree.parse(str(path)).getroot()
    bounds = _bounds(root)
    edges = {e.get("bpmnElement") for e in root.iterfind(".//bpmndi:BPMNEdge", NS)}
    for process in root.iterfind("bpmn:process", NS):
        nodes = [n for tag in FLOW_NODES for n in process.iter(f"{{{NS['bpmn']}}}{tag}")]
        ids = [n.get("id") for n in nodes]
        missing = [i for i in ids if i not in bounds]
        assert not missing, f"no shape for {missing}"
        for a, b in itertools.combinations(ids, 2):
            assert not _overlap(bounds[a], bounds[b]), f"{path.name}: {a} overlaps {b}"
        lanes = {lane.get("id"): lane for lane in process.iter(f"{{{NS['bpmn']}}}lane")}
        for lane_id, lane in lanes.items():
            assert is_valid_role(lane.get("name")), lane.get("name")
            lx, ly, lw, lh = bounds[lane_id]
            for ref in lane.iterfind("bpmn:flowNodeRef", NS):
                if ref.text not in ids:
                    continue
                x, y, w, h = bounds[ref.text]
                assert lx <= x and x + w <= lx + lw and ly <= y and y + h <= ly + lh, (
                    f"{path.name}: {ref.text} is drawn outside its lane {lane.get('name')}"
                )
        flows = list(process.iter(f"{{{NS['bpmn']}}}sequenceFlow"))
        assert {f.get("id") for f in flows} <= edges
        for gateway in process.iter(f"{{{NS['bpmn']}}}exclusiveGateway"):
            outgoing = [f for f in flows if f.get("sourceRef") == gateway.get("id")]
            if len(outgoing) > 1:
                assert gateway.get("name"), (
                    f"{path.name}: split gateway {gateway.get('id')} has no question"
                )
                assert all(f.get("name") for f in outgoing), (
                    f"{path.name}: a flow out of {gateway.get('id')} has no label"
                )


def _used_forms() -> dict[str, list[str]]:
    used: dict[str, list[str]] = {}
    for path in DIAGRAMS:
        root = etree.parse(str(path)).getroot()
        for task in root.iter(f"{{{NS['bpmn']}}}userTask"):
            for prop in task.iterfind(".//spiffworkflow:property", NS):
                if prop.get("name") == "formJsonSchemaFilename":
                    used.setdefault(prop.get("value"), []).append(task.get("name"))
    return used


def test_every_form_is_valid_used_and_titled():
    used = _used_forms()
    assert set(used) == set(FORMS), "forms without a task, or tasks without a form"
    for name, schema in FORMS.items():
        assert schema_problems(schema) == [], name
        assert schema.get("title"), name
        for field, spec in schema["properties"].items():
            assert spec.get("title"), f"{name}: {field} has no title"


def test_every_interview_records_language_and_interpreter():
    for name, task_names in _used_forms().items():
        if any(
            "interview" in t.lower() or "inform" in t.lower() or "views" in t.lower()
            for t in task_names
        ):
            required = set(FORMS[name]["required"])
            assert {"language", "interpreter_present"} <= required, name


def test_the_screening_checklist_is_the_rule_catalogue():
    screening = FORMS["screening.json"]
    listed = set()
    for dimension in Dimension:
        field = screening["properties"][f"indicators_{dimension.value}"]
        listed.update(option["const"] for option in field["items"]["oneOf"])
    assert listed == {indicator.id for indicator in CATALOGUE}
    assert "age_known" in declared_fields(screening)


def _segments(edge):
    points = [
        (float(w.get("x")), float(w.get("y")))
        for w in edge.iterfind("{http://www.omg.org/spec/DD/20100524/DI}waypoint")
    ]
    return list(itertools.pairwise(points))


def _crosses(segment, box) -> bool:
    (x1, y1), (x2, y2) = segment
    x, y, w, h = box
    x, y, w, h = x + 3, y + 3, w - 6, h - 6  # touching an edge is fine
    if x1 == x2:
        return x < x1 < x + w and min(y1, y2) < y + h and max(y1, y2) > y
    if y1 == y2:
        return y < y1 < y + h and min(x1, x2) < x + w and max(x1, x2) > x
    return False


@pytest.mark.parametrize("path", DIAGRAMS, ids=[p.stem for p in DIAGRAMS])
def test_no_flow_runs_through_a_shape(path: Path):
    root = etree.parse(str(path)).getroot()
    bounds = _bounds(root)
    flows = {f.get("id"): f for f in root.iter(f"{{{NS['bpmn']}}}sequenceFlow")}
    shapes = {
        n.get("id"): bounds[n.get("id")]
        for tag in FLOW_NODES
        for n in root.iter(f"{{{NS['bpmn']}}}{tag}")
    }
    problems = []
    for edge in root.iterfind(".//bpmndi:BPMNEdge", NS):
        flow = flows[edge.get("bpmnElement")]
        ends = {flow.get("sourceRef"), flow.get("targetRef")}
        for segment in _segments(edge):
            problems.extend(
                f"{flow.get('id')} crosses {node_id}"
                for node_id, box in shapes.items()
                if node_id not in ends and _crosses(segment, box)
            )
    assert problems == []
