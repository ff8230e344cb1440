"""Small BPMN documents for tests, written as text so each test shows what it deploys."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

HEADER = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" '
    'xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" '
    'id="defs_{id}" targetNamespace="https://protection-pathways.org/test">\n'
)


def definitions(*processes: str, doc_id: str = "test") -> str:
    return HEADER.format(id=doc_id) + "\n".join(processes) + "\n</bpmn:definitions>\n"


def process(pid: str, *elements: str, lanes: dict[str, list[str]] | None = None) -> str:
    lane_xml = ""
    if lanes:
        parts = []
        for index, (name, refs) in enumerate(lanes.items()):
            refs_xml = "".join(f"<bpmn:flowNodeRef>{r}</bpmn:flowNodeRef>" for r in refs)
            parts.append(f'<bpmn:lane id="{pid}_lane{index}" name="{name}">{refs_xml}</bpmn:lane>')
        lane_xml = f'<bpmn:laneSet id="{pid}_lanes">{"".join(parts)}</bpmn:laneSet>'
    return f'<bpmn:process id="{pid}" name="{pid}" isExecutable="true">{lane_xml}{"".join(elements)}</bpmn:process>'


def start(eid: str = "start") -> str:
    return f'<bpmn:startEvent id="{eid}"/>'


def end(eid: str = "end") -> str:
    return f'<bpmn:endEvent id="{eid}"/>'


def user_task(eid: str, name: str, form: str | None, extra: str = "") -> str:
    props = ""
    if form is not None or extra:
        prop = (
            f'<spiffworkflow:property name="formJsonSchemaFilename" value="{form}"/>'
            if form
            else ""
        )
        props = f"<bpmn:extensionElements><spiffworkflow:properties>{prop}{extra}</spiffworkflow:properties></bpmn:extensionElements>"
    return f'<bpmn:userTask id="{eid}" name="{name}">{props}</bpmn:userTask>'


def script_task(eid: str, script: str) -> str:
    return f'<bpmn:scriptTask id="{eid}"><bpmn:script>{_escape(script)}</bpmn:script></bpmn:scriptTask>'


def timer_catch(eid: str, duration: str, name: str = "") -> str:
    return (
        f'<bpmn:intermediateCatchEvent id="{eid}" name="{name or eid}"><bpmn:timerEventDefinition>'
        f"<bpmn:timeDuration>{_escape(duration)}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:intermediateCatchEvent>"
    )


def boundary_timer(eid: str, attached_to: str, duration: str, interrupting: bool = False) -> str:
    return (
        f'<bpmn:boundaryEvent id="{eid}" name="{eid}" attachedToRef="{attached_to}" '
        f'cancelActivity="{"true" if interrupting else "false"}"><bpmn:timerEventDefinition>'
        f"<bpmn:timeDuration>{_escape(duration)}</bpmn:timeDuration>"
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )


def call_activity(eid: str, called: str) -> str:
    return f'<bpmn:callActivity id="{eid}" name="{eid}" calledElement="{called}"/>'


def exclusive(eid: str, default: str | None = None) -> str:
    attr = f' default="{default}"' if default else ""
    return f'<bpmn:exclusiveGateway id="{eid}"{attr}/>'


def flow(source: str, target: str, condition: str | None = None, fid: str | None = None) -> str:
    fid = fid or f"f_{source}_{target}"
    cond = (
        f"<bpmn:conditionExpression>{_escape(condition)}</bpmn:conditionExpression>"
        if condition
        else ""
    )
    return f'<bpmn:sequenceFlow id="{fid}" sourceRef="{source}" targetRef="{target}">{cond}</bpmn:sequenceFlow>'


def chain(*ids: str) -> list[str]:
    return [flow(a, b) for a, b in itertools.pairwise(ids)]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


SIMPLE_FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "title": "Name", "minLength": 1},
        "date_of_birth": {"type": "string", "format": "date", "title": "Date of birth"},
        "presumed": {"type": "boolean", "title": "Presumed victim?"},
    },
    "required": ["name", "presumed"],
}


def write(folder: Path, name: str, text: str, forms: dict[str, dict] | None = None) -> Path:
    """Write a diagram and its forms side by side, as a coordinator's upload would bring them."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    for form_name, schema in (forms or {}).items():
        (folder / form_name).write_text(json.dumps(schema), encoding="utf-8")
    return path
