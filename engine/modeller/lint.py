"""Mistakes a coordinator can make that are legal BPMN: warnings shown on the diagram.

Validation (``engine.definitions.validation``) refuses what cannot run; lint
points at what runs but is probably not meant: flows pointing nowhere, steps
nothing leads to or that lead nowhere, choices without a default way out, and
parts of the diagram no case can ever reach.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from lxml import etree

from engine.spiff.parsing import BPMN_NS

FLOW_NODES = frozenset(
    {
        "startEvent",
        "endEvent",
        "intermediateCatchEvent",
        "intermediateThrowEvent",
        "boundaryEvent",
        "task",
        "userTask",
        "manualTask",
        "scriptTask",
        "serviceTask",
        "sendTask",
        "receiveTask",
        "businessRuleTask",
        "callActivity",
        "subProcess",
        "transaction",
        "exclusiveGateway",
        "parallelGateway",
        "inclusiveGateway",
        "eventBasedGateway",
    }
)
CHOICE_GATEWAYS = frozenset({"exclusiveGateway", "inclusiveGateway"})
NO_INCOMING_NEEDED = frozenset({"startEvent", "boundaryEvent"})


@dataclass(frozen=True)
class LintWarning:
    element_id: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"element_id": self.element_id, "message": self.message, "level": "warning"}


def _local(node: etree._Element) -> str:
    return etree.QName(node).localname if isinstance(node.tag, str) else ""


def _scopes(root: etree._Element):
    """Each process and each embedded sub-process is its own graph."""
    yield from root.iter(
        f"{{{BPMN_NS}}}process", f"{{{BPMN_NS}}}subProcess", f"{{{BPMN_NS}}}transaction"
    )


def _started_by_event(node: etree._Element) -> bool:
    """Event sub-processes and compensation handlers stand apart: no flow enters or leaves
    them, their trigger (an event, a compensation) does."""
    return node.get("triggeredByEvent") == "true" or node.get("isForCompensation") == "true"


def _scope_warnings(scope: etree._Element) -> list[LintWarning]:
    nodes = {n.get("id"): n for n in scope if _local(n) in FLOW_NODES and n.get("id")}
    flows = [f for f in scope if _local(f) == "sequenceFlow"]
    incoming: dict[str, list[str]] = {key: [] for key in nodes}
    outgoing: dict[str, list[str]] = {key: [] for key in nodes}
    found: list[LintWarning] = []
    for flow in flows:
        source, target = flow.get("sourceRef"), flow.get("targetRef")
        if source not in nodes or target not in nodes:
            found.append(
                LintWarning(flow.get("id", "?"), "this flow is not connected at both ends")
            )
            continue
        outgoing[source].append(target)
        incoming[target].append(source)
    attached: dict[str, list[str]] = {}
    for key, node in nodes.items():
        kind = _local(node)
        if kind == "boundaryEvent":
            attached.setdefault(node.get("attachedToRef", ""), []).append(key)
        if _started_by_event(node):
            continue
        if not incoming[key] and kind not in NO_INCOMING_NEEDED:
            found.append(LintWarning(key, "nothing leads to this step"))
        if not outgoing[key] and kind != "endEvent":
            found.append(
                LintWarning(key, "dead end: nothing leaves this step and it is no end event")
            )
        if kind in CHOICE_GATEWAYS and len(outgoing[key]) > 1 and not node.get("default"):
            found.append(
                LintWarning(key, "no default flow: a case that matches no condition stops here")
            )
    starts = [k for k, n in nodes.items() if _local(n) == "startEvent"]
    seen, queue = set(starts), deque(starts)
    while queue:
        current = queue.popleft()
        for following in outgoing[current] + attached.get(current, []):
            if following not in seen:
                seen.add(following)
                queue.append(following)
    if starts:
        found.extend(
            LintWarning(key, "no case can reach this step from the start")
            for key in nodes
            if key not in seen and incoming[key]
        )
    return found


def lint(root: etree._Element) -> list[LintWarning]:
    found: list[LintWarning] = []
    for scope in _scopes(root):
        found.extend(_scope_warnings(scope))
    return found
