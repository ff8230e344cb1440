"""A grid-laid-out BPMN writer with SpiffWorkflow extensions."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from xml.sax.saxutils import escape, quoteattr

COL_W = 160
ROW_H = 130
POOL_LABEL_W = 30
LANE_LABEL_W = 30
MARGIN_X = 40
POOL_GAP = 60
SIZES = {
    "task": (120, 80),
    "event": (36, 36),
    "gateway": (50, 50),
}
KIND_SIZE = {
    "startEvent": "event",
    "endEvent": "event",
    "intermediateCatchEvent": "event",
    "boundaryEvent": "event",
    "exclusiveGateway": "gateway",
    "parallelGateway": "gateway",
    "userTask": "task",
    "manualTask": "task",
    "scriptTask": "task",
    "callActivity": "task",
    "businessRuleTask": "task",
}


@dataclass
class Node:
    kind: str
    id: str
    name: str
    lane: str | None
    col: float
    row: int = 0
    body: str = ""
    attrs: dict[str, str] = field(default_factory=dict)
    attached_to: str | None = None
    slot: int = 0  # boundary events: position along the host's bottom edge
    x: float = 0
    y: float = 0

    @property
    def size(self) -> tuple[int, int]:
        return SIZES[KIND_SIZE[self.kind]]

    @property
    def cx(self) -> float:
        return self.x + self.size[0] / 2

    @property
    def cy(self) -> float:
        return self.y + self.size[1] / 2


@dataclass
class Flow:
    id: str
    source: str
    target: str
    name: str | None = None
    condition: str | None = None


def _properties(props: dict[str, str]) -> str:
    if not props:
        return ""
    items = "".join(
        f"<spiffworkflow:property name={quoteattr(k)} value={quoteattr(v)} />"
        for k, v in props.items()
    )
    return f"<spiffworkflow:properties>{items}</spiffworkflow:properties>"


class Process:
    def __init__(self, pid: str, name: str, lanes: list[tuple[str, int]]) -> None:
        self.id, self.name = pid, name
        self.lanes = lanes  # (lane name, rows)
        self.nodes: dict[str, Node] = {}
        self.flows: list[Flow] = []
        self.defaults: dict[str, str] = {}
        self.documentation = ""

    # -- elements ---------------------------------------------------------------------------
    def _add(self, node: Node) -> str:
        if node.id in self.nodes:
            raise ValueError(f"duplicate id {node.id}")
        self.nodes[node.id] = node
        return node.id

    def start(self, nid, name, lane, col, row=0):
        return self._add(Node("startEvent", nid, name, lane, col, row))

    def end(self, nid, name, lane, col, row=0):
        return self._add(Node("endEvent", nid, name, lane, col, row))

    def user(self, nid, name, lane, col, row=0, *, form, instructions="", props=None):
        ext = _properties({"formJsonSchemaFilename": form, **(props or {})})
        if instructions:
            ext += f"<spiffworkflow:instructionsForEndUser>{escape(instructions)}</spiffworkflow:instructionsForEndUser>"
        body = f"<bpmn:extensionElements>{ext}</bpmn:extensionElements>"
        return self._add(Node("userTask", nid, name, lane, col, row, body=body))

    def script(self, nid, name, lane, col, row=0, *, script):
        body = f"<bpmn:script>{escape(script.strip())}</bpmn:script>"
        return self._add(Node("scriptTask", nid, name, lane, col, row, body=body))

    def call(self, nid, name, lane, col, row=0, *, called):
        return self._add(
            Node("callActivity", nid, name, lane, col, row, attrs={"calledElement": called})
        )

    def xor(self, nid, name, lane, col, row=0, *, default=None):
        node = Node("exclusiveGateway", nid, name, lane, col, row)
        if default:
            self.defaults[nid] = default
        return self._add(node)

    def par(self, nid, lane, col, row=0, name=""):
        return self._add(Node("parallelGateway", nid, name, lane, col, row))

    def timer(self, nid, name, lane, col, row=0, *, date=None, duration=None):
        return self._add(
            Node("intermediateCatchEvent", nid, name, lane, col, row, body=_timer(date, duration))
        )

    def boundary_timer(
        self, nid, name, attached_to, *, date=None, duration=None, slot=0, interrupting=False
    ):
        node = Node(
            "boundaryEvent",
            nid,
            name,
            None,
            0,
            0,
            body=_timer(date, duration),
            attrs={
                "attachedToRef": attached_to,
                "cancelActivity": "true" if interrupting else "false",
            },
            attached_to=attached_to,
            slot=slot,
        )
        return self._add(node)

    def flow(self, source, target, name=None, condition=None, fid=None):
        fid = fid or f"flow_{source}_to_{target}"
        self.flows.append(Flow(fid, source, target, name, condition))
        return fid

    def chain(self, *ids):
        for a, b in itertools.pairwise(ids):
            self.flow(a, b)

    # -- layout -----------------------------------------------------------------------------
    def layout(self, top: float) -> float:
        """Place every node; returns the pool's bottom y."""
        self.top = top
        self.lane_top: dict[str, float] = {}
        y = top
        for name, rows in self.lanes:
            self.lane_top[name] = y
            y += rows * ROW_H
        self.bottom = y
        max_col = max(n.col for n in self.nodes.values() if n.attached_to is None)
        self.left = MARGIN_X
        self.width = POOL_LABEL_W + LANE_LABEL_W + (max_col + 1) * COL_W + 40
        for node in self.nodes.values():
            if node.attached_to:
                continue
            w, h = node.size
            cell_x = MARGIN_X + POOL_LABEL_W + LANE_LABEL_W + 20 + node.col * COL_W
            cell_y = self.lane_top[node.lane] + node.row * ROW_H
            node.x = cell_x + (COL_W - 40 - w) / 2
            node.y = cell_y + (ROW_H - h) / 2
        for node in self.nodes.values():
            if node.attached_to:
                host = self.nodes[node.attached_to]
                node.x = host.x + host.size[0] - 28 - node.slot * 40
                node.y = host.y + host.size[1] - 18
        return self.bottom

    def _is_split(self, node_id: str) -> bool:
        return sum(f.source == node_id for f in self.flows) > 1

    def route(self, flow: Flow) -> list[tuple[float, float]]:
        s, t = self.nodes[flow.source], self.nodes[flow.target]
        sw, sh = s.size
        _tw, th = t.size
        if s.kind == "boundaryEvent":
            # Down into the gap below the host's row, across to the gap before the target's
            # column, then down and in: never through the shapes in between.
            start = (s.cx, s.y + sh)
            gap_y = start[1] + 14
            gap_x = t.x - 20
            return [start, (s.cx, gap_y), (gap_x, gap_y), (gap_x, t.cy), (t.x, t.cy)]
        if t.x > s.x + sw:  # forwards
            if abs(s.cy - t.cy) < 1:
                return [(s.x + sw, s.cy), (t.x, t.cy)]
            if s.kind.endswith("Gateway") and self._is_split(s.id):  # leave from top or bottom
                exit_y = s.y + sh if t.cy > s.cy else s.y
                return [(s.cx, exit_y), (s.cx, t.cy), (t.x, t.cy)]
            if t.kind.endswith("Gateway"):  # enter a join from its top or bottom corner
                entry_y = t.y if s.cy < t.cy else t.y + th
                return [(s.x + sw, s.cy), (t.cx, s.cy), (t.cx, entry_y)]
            mid = t.x - 20
            return [(s.x + sw, s.cy), (mid, s.cy), (mid, t.cy), (t.x, t.cy)]
        # backwards (a loop): under both shapes, then up into the target
        below = max(s.y + sh, t.y + th) + 22
        return [(s.cx, s.y + sh), (s.cx, below), (t.cx, below), (t.cx, t.y + th)]

    # -- XML --------------------------------------------------------------------------------
    def xml(self) -> str:
        lines = [f'<bpmn:process id="{self.id}" name={quoteattr(self.name)} isExecutable="true">']
        if self.documentation:
            lines.append(f"<bpmn:documentation>{escape(self.documentation)}</bpmn:documentation>")
        lines.append(f'<bpmn:laneSet id="{self.id}_lanes">')
        for index, (lane, _rows) in enumerate(self.lanes):
            refs = "".join(
                f"<bpmn:flowNodeRef>{n.id}</bpmn:flowNodeRef>"
                for n in self.nodes.values()
                if (n.lane or self.nodes[n.attached_to].lane) == lane
            )
            lines.append(
                f'<bpmn:lane id="{self.id}_lane_{index}" name={quoteattr(lane)}>{refs}</bpmn:lane>'
            )
        lines.append("</bpmn:laneSet>")
        incoming: dict[str, list[str]] = {}
        outgoing: dict[str, list[str]] = {}
        for f in self.flows:
            outgoing.setdefault(f.source, []).append(f.id)
            incoming.setdefault(f.target, []).append(f.id)
        for node in self.nodes.values():
            attrs = "".join(f" {k}={quoteattr(v)}" for k, v in node.attrs.items())
            if node.id in self.defaults:
                attrs += f' default="{self.defaults[node.id]}"'
            name = f" name={quoteattr(node.name)}" if node.name else ""
            refs = "".join(f"<bpmn:incoming>{i}</bpmn:incoming>" for i in incoming.get(node.id, []))
            refs += "".join(
                f"<bpmn:outgoing>{o}</bpmn:outgoing>" for o in outgoing.get(node.id, [])
            )
            # BPMN's schema wants extension elements first, then flows, then definitions/scripts.
            ext, rest = _split_body(node.body)
            lines.append(
                f'<bpmn:{node.kind} id="{node.id}"{name}{attrs}>{ext}{refs}{rest}</bpmn:{node.kind}>'
            )
        for f in self.flows:
            name = f" name={quoteattr(f.name)}" if f.name else ""
            cond = (
                f"<bpmn:conditionExpression>{escape(f.condition)}</bpmn:conditionExpression>"
                if f.condition
                else ""
            )
            lines.append(
                f'<bpmn:sequenceFlow id="{f.id}"{name} sourceRef="{f.source}" targetRef="{f.target}">{cond}</bpmn:sequenceFlow>'
            )
        lines.append("</bpmn:process>")
        return "\n".join(lines)

    def di(self, participant: str) -> str:
        out = [
            f'<bpmndi:BPMNShape id="{participant}_di" bpmnElement="{participant}" isHorizontal="true">'
            f'<dc:Bounds x="{self.left}" y="{self.top}" width="{self.width}" height="{self.bottom - self.top}" /></bpmndi:BPMNShape>'
        ]
        for index, (lane, rows) in enumerate(self.lanes):
            out.append(
                f'<bpmndi:BPMNShape id="{self.id}_lane_{index}_di" bpmnElement="{self.id}_lane_{index}" isHorizontal="true">'
                f'<dc:Bounds x="{self.left + POOL_LABEL_W}" y="{self.lane_top[lane]}" width="{self.width - POOL_LABEL_W}" '
                f'height="{rows * ROW_H}" /></bpmndi:BPMNShape>'
            )
        for node in self.nodes.values():
            w, h = node.size
            marker = ' isMarkerVisible="true"' if node.kind == "exclusiveGateway" else ""
            out.append(
                f'<bpmndi:BPMNShape id="{node.id}_di" bpmnElement="{node.id}"{marker}>'
                f'<dc:Bounds x="{node.x:.0f}" y="{node.y:.0f}" width="{w}" height="{h}" /></bpmndi:BPMNShape>'
            )
        for f in self.flows:
            points = "".join(f'<di:waypoint x="{x:.0f}" y="{y:.0f}" />' for x, y in self.route(f))
            out.append(
                f'<bpmndi:BPMNEdge id="{f.id}_di" bpmnElement="{f.id}">{points}</bpmndi:BPMNEdge>'
            )
        return "\n".join(out)


def _timer(date: str | None, duration: str | None) -> str:
    kind, value = ("timeDate", date) if date else ("timeDuration", duration)
    return f"<bpmn:timerEventDefinition><bpmn:{kind}>{escape(value)}</bpmn:{kind}></bpmn:timerEventDefinition>"


def _split_body(body: str) -> tuple[str, str]:
    if body.startswith("<bpmn:extensionElements>"):
        end = body.index("</bpmn:extensionElements>") + len("</bpmn:extensionElements>")
        return body[:end], body[end:]
    return "", body


class Diagram:
    def __init__(self, definitions_id: str) -> None:
        self.definitions_id = definitions_id
        self.processes: list[Process] = []

    def process(self, pid: str, name: str, lanes: list[tuple[str, int]]) -> Process:
        process = Process(pid, name, lanes)
        self.processes.append(process)
        return process

    def xml(self) -> str:
        top = 40
        for process in self.processes:
            top = process.layout(top) + POOL_GAP
        participants = "".join(
            f'<bpmn:participant id="{p.id}_pool" name={quoteattr(p.name)} processRef="{p.id}" />'
            for p in self.processes
        )
        body = "\n".join(p.xml() for p in self.processes)
        shapes = "\n".join(p.di(f"{p.id}_pool") for p in self.processes)
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
            'xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" '
            'xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" '
            'xmlns:di="http://www.omg.org/spec/DD/20100524/DI" '
            'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
            f'id="{self.definitions_id}" targetNamespace="https://protection-pathways.org/bpmn">\n'
            f'<bpmn:collaboration id="{self.definitions_id}_collaboration">{participants}</bpmn:collaboration>\n'
            f"{body}\n"
            f'<bpmndi:BPMNDiagram id="{self.definitions_id}_diagram">'
            f'<bpmndi:BPMNPlane id="{self.definitions_id}_plane" bpmnElement="{self.definitions_id}_collaboration">\n'
            f"{shapes}\n</bpmndi:BPMNPlane></bpmndi:BPMNDiagram>\n</bpmn:definitions>\n"
        )
