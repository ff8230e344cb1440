"""Workflow state to bytes and back, always with the sandboxed script engine attached.

The bytes are compressed JSON; ``engine.instances.store`` seals them with
AES-GCM. Compression before encryption can leak information through lengths
only to an attacker who both injects chosen text and watches ciphertext sizes
repeatedly; against storage growth of 5-10x that risk is accepted here.
"""

from __future__ import annotations

import zlib

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

from engine.scripting.script_engine import RestrictedScriptEngine

_serializer = BpmnWorkflowSerializer(BpmnWorkflowSerializer.configure(SPIFF_CONFIG))
SERIALIZER_VERSION: str = _serializer.VERSION
SCRIPT_ENGINE = RestrictedScriptEngine()


def new_workflow(spec, subprocess_specs: dict) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)


def dump(workflow: BpmnWorkflow) -> bytes:
    return zlib.compress(_serializer.serialize_json(workflow).encode(), 6)


def load(data: bytes) -> BpmnWorkflow:
    workflow = _serializer.deserialize_json(zlib.decompress(data).decode())
    # The script engine is not part of the saved state: never run with the default one.
    workflow.script_engine = SCRIPT_ENGINE
    return workflow
