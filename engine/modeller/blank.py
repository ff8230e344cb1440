"""The starting point of a new pathway or decision file drawn in the modeller.

A new diagram already keeps our conventions (a pool whose lane is a role, a
start event inside it) so that the first thing a coordinator sees is how to
extend it, not a refusal about lanes.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from engine.errors import InvalidRequest

_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")

BPMN = """<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" \
xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI" \
xmlns:dc="http://www.omg.org/spec/DD/20100524/DC" \
xmlns:spiffworkflow="http://spiffworkflow.org/bpmn/schema/1.0/core" \
id="{key}_definitions" targetNamespace="https://protection-pathways.org/bpmn">
  <bpmn:collaboration id="{key}_collaboration">
    <bpmn:participant id="{key}_pool" name={name} processRef="{key}"/>
  </bpmn:collaboration>
  <bpmn:process id="{key}" name={name} isExecutable="true">
    <bpmn:laneSet id="{key}_lanes">
      <bpmn:lane id="{key}_lane_0" name={role}>
        <bpmn:flowNodeRef>{key}_start</bpmn:flowNodeRef>
      </bpmn:lane>
    </bpmn:laneSet>
    <bpmn:startEvent id="{key}_start" name="Start"/>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="{key}_diagram">
    <bpmndi:BPMNPlane id="{key}_plane" bpmnElement="{key}_collaboration">
      <bpmndi:BPMNShape id="{key}_pool_di" bpmnElement="{key}_pool" isHorizontal="true">
        <dc:Bounds x="40" y="40" width="1200" height="480"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{key}_lane_0_di" bpmnElement="{key}_lane_0" isHorizontal="true">
        <dc:Bounds x="70" y="40" width="1170" height="480"/>
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="{key}_start_di" bpmnElement="{key}_start">
        <dc:Bounds x="130" y="152" width="36" height="36"/>
      </bpmndi:BPMNShape>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
"""

DMN = """<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/" \
xmlns:dmndi="https://www.omg.org/spec/DMN/20191111/DMNDI/" \
xmlns:dc="http://www.omg.org/spec/DMN/20180521/DC/" \
id="{key}_definitions" name={name} namespace="https://protection-pathways.org/dmn">
  <decision id="{key}" name={name}>
    <decisionTable id="{key}_table" hitPolicy="UNIQUE">
      <input id="{key}_input" label="Input">
        <inputExpression id="{key}_input_expression" typeRef="string">
          <text>value</text>
        </inputExpression>
      </input>
      <output id="{key}_output" label="Result" name="result" typeRef="string"/>
    </decisionTable>
  </decision>
  <dmndi:DMNDI>
    <dmndi:DMNDiagram id="{key}_drd">
      <dmndi:DMNShape id="{key}_di" dmnElementRef="{key}">
        <dc:Bounds height="80" width="180" x="160" y="100"/>
      </dmndi:DMNShape>
    </dmndi:DMNDiagram>
  </dmndi:DMNDI>
</definitions>
"""


def blank_source(file_name: str, role: str) -> str:
    """A new file's text; its process (or decision) id is the file name without its suffix."""
    key, _, suffix = file_name.rpartition(".")
    if not _KEY.match(key):
        raise InvalidRequest(
            "a new file's name becomes its id: start with a letter, then letters, digits or '_'"
        )
    name = quoteattr(key.replace("_", " ").capitalize())
    lane = quoteattr(role.replace("_", " ").capitalize())
    template = DMN if suffix == "dmn" else BPMN
    return template.format(key=key, name=name, role=lane)
