"""What changed between two versions of a pathway file: elements added, removed and changed.

An element "changed" when anything it carries differs: name, condition, timer,
script, form, called process, default flow, or (for a lane) which steps it
holds. Moving a shape on the canvas is not a change; the diagram layout
(``bpmndi``) is ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from lxml import etree

from engine.modeller.lint import FLOW_NODES
from engine.spiff.parsing import BPMN_NS, parse_xml

TRACKED = FLOW_NODES | {"sequenceFlow", "lane", "participant", "messageFlow", "process"}


@dataclass(frozen=True)
class Change:
    element_id: str
    kind: str  # the BPMN element type, e.g. userTask
    name: str


@dataclass
class Comparison:
    added: list[Change] = field(default_factory=list)
    removed: list[Change] = field(default_factory=list)
    changed: list[Change] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not (self.added or self.removed or self.changed)

    def as_dict(self) -> dict[str, list[dict[str, str]]]:
        return {
            key: [vars(c) for c in getattr(self, key)] for key in ("added", "removed", "changed")
        }


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
UNORDERED = frozenset({"incoming", "outgoing", "flowNodeRef"})


def _canonical(node: etree._Element) -> tuple:
    """What the element means: whitespace, attribute order, ``xsi:type`` and the order of
    incoming/outgoing references (which modellers rewrite freely) do not count."""
    attributes = tuple(sorted((k, v) for k, v in node.attrib.items() if k != XSI_TYPE))
    text = " ".join((node.text or "").split())
    children = []
    for child in node:
        if not isinstance(child.tag, str):
            continue  # comments and processing instructions
        if etree.QName(child).namespace == BPMN_NS and _local(child) in TRACKED | {"laneSet"}:
            continue  # compared on its own
        children.append(_canonical(child))
    ordered = [c for c in children if c[0].rsplit("}", 1)[-1] not in UNORDERED]
    unordered = sorted(c for c in children if c[0].rsplit("}", 1)[-1] in UNORDERED)
    return (node.tag, attributes, text, tuple(ordered), tuple(unordered))


def _elements(source: str, name: str) -> dict[str, tuple[etree._Element, tuple]]:
    root = parse_xml(source, name)
    return {
        node.get("id"): (node, _canonical(node))
        for node in root.iter(f"{{{BPMN_NS}}}*")
        if node.get("id") and _local(node) in TRACKED
    }


def _change(element_id: str, node: etree._Element) -> Change:
    return Change(element_id, _local(node), node.get("name") or "")


def compare(old_source: str, new_source: str) -> Comparison:
    before, after = _elements(old_source, "old"), _elements(new_source, "new")
    result = Comparison()
    for key in after.keys() - before.keys():
        result.added.append(_change(key, after[key][0]))
    for key in before.keys() - after.keys():
        result.removed.append(_change(key, before[key][0]))
    for key in before.keys() & after.keys():
        if before[key][1] != after[key][1]:
            result.changed.append(_change(key, after[key][0]))
    for group in (result.added, result.removed, result.changed):
        group.sort(key=lambda c: (c.kind, c.element_id))
    return result
