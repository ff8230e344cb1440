"""Workflow state to bytes and back, always with the sandboxed script engine attached.

The bytes are compressed JSON; ``engine.instances.store`` seals them with
AES-GCM. Compression before encryption can leak information through lengths
only to an attacker who both injects chosen text and watches ciphertext sizes
repeatedly; against storage growth of 5-10x that risk is accepted here.

The state holds the instance's tasks and data, not its specs. SpiffWorkflow's own format
embeds the parsed process specs of the pathway and every called pathway in every save; they
are the same for every instance of a version, never change (a definition is immutable once
deployed), and were most of the bytes and of the time of each save and load (measured on
the child pathway: about half of both). The specs are rebuilt from the instance's pinned
definitions (``SpecLibrary``, cached per process) and handed to :func:`load`. States
written before this (``SERIALIZER_VERSION`` without the suffix) still carry their specs
and load as they were.
"""

from __future__ import annotations

import contextvars
import zlib
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import BpmnWorkflowConverter, TaskConverter
from SpiffWorkflow.bpmn.serializer.helpers.dictionary import DictionaryConverter
from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG
from SpiffWorkflow.task import Task
from SpiffWorkflow.util.task import TaskState

from engine.scripting.script_engine import RestrictedScriptEngine

# (root spec, {sub-workflow name: spec}) for the state being loaded; set only inside load().
_SPECS: contextvars.ContextVar[tuple[Any, dict[str, Any]] | None] = contextvars.ContextVar(
    "pathways_specs", default=None
)


class _SpecsApart(BpmnWorkflowConverter):
    """SpiffWorkflow's converter for the top workflow, naming its specs instead of embedding."""

    def to_dict(self, workflow: BpmnWorkflow) -> dict[str, Any]:
        dct = super(BpmnWorkflowConverter, self).to_dict(workflow)  # tasks, data, root...
        dct["spec"] = workflow.spec.name
        dct["subprocess_specs"] = sorted(workflow.subprocess_specs)
        dct["subprocesses"] = self.mapping_to_dict(workflow.subprocesses)
        dct["bpmn_events"] = self.registry.convert(workflow.bpmn_events)
        return dct

    def from_dict(self, dct: dict[str, Any]) -> BpmnWorkflow:
        specs = _SPECS.get()
        if specs is None:
            raise ValueError("this workflow state keeps its specs apart: load it with them")
        spec, subprocess_specs = specs
        if dct["spec"] != spec.name or sorted(dct["subprocess_specs"]) != sorted(subprocess_specs):
            raise ValueError(
                f"the specs given ({spec.name}, {sorted(subprocess_specs)}) are not the ones this"
                f" state was saved with ({dct['spec']}, {sorted(dct['subprocess_specs'])})"
            )
        # Objects, not dictionaries: the registry's restore hands them back unchanged.
        dct["spec"], dct["subprocess_specs"] = spec, dict(subprocess_specs)
        return super().from_dict(dct)


_MEMO = "_pathways_finished_tasks"


class _FinishedTasksKept(TaskConverter):
    """SpiffWorkflow's task converter, remembering what finished tasks serialized to.

    A case's history only grows: most tasks of a long pathway are finished, and a finished
    task under a finished parent does not change (its data is its own copy, its state is
    final). Each save converted every one of them again, the larger part of a save on the
    full child pathway. The dictionary is kept on the workflow object (so it lives as long
    as the worker keeps that workflow, and no longer) and reused while everything it was
    made from is still the same object in the same state.
    """

    def to_dict(self, task: Task) -> dict[str, Any]:
        parent = task.parent
        if not (task.state & TaskState.FINISHED_MASK) or parent is None:
            return super().to_dict(task)
        if not parent.state & TaskState.FINISHED_MASK:
            return super().to_dict(task)
        memo = task.workflow.__dict__.setdefault(_MEMO, {})
        # The objects themselves, compared by identity (an id alone could be reused by a
        # new object once the old one is gone); a migration gives finished tasks new specs.
        objects = (task.task_spec, task.data, task.internal_data, parent.data)
        values = (
            task._parent,
            task.state,
            task.last_state_change,
            task.triggered,
            tuple(task._children),
            len(task.data),
            len(task.internal_data),
            len(parent.data),
        )
        kept = memo.get(task.id)
        if (
            kept is not None
            and all(now is then for now, then in zip(objects, kept[0], strict=True))
            and values == kept[1]
        ):
            return kept[2]
        dct = super().to_dict(task)
        memo[task.id] = (objects, values, dct)
        return dct


def _registry(
    workflow_converter: type, task_converter: type = TaskConverter
) -> DictionaryConverter:
    config = {**SPIFF_CONFIG, BpmnWorkflow: workflow_converter, Task: task_converter}
    return BpmnWorkflowSerializer.configure(config)


_embedded = BpmnWorkflowSerializer(_registry(BpmnWorkflowConverter))
_apart = BpmnWorkflowSerializer(_registry(_SpecsApart, _FinishedTasksKept))
_apart_plain = BpmnWorkflowSerializer(_registry(_SpecsApart))
SERIALIZER_VERSION: str = f"{_apart.VERSION}+apart"
EMBEDDED_VERSION: str = _embedded.VERSION
SCRIPT_ENGINE = RestrictedScriptEngine()
# zlib's fastest level: a quarter of the default's time on the child pathway's state, for
# about a fifth more bytes (measured: 60 KB of JSON, 0.11 ms and 10.3 KB against 0.48 ms
# and 8.6 KB at level 6).
COMPRESSION = 1


def registry() -> DictionaryConverter:
    """The converters, for comparing specs (a migration's diff compares their attributes)."""
    return _apart.registry


def new_workflow(spec, subprocess_specs: dict) -> BpmnWorkflow:
    return BpmnWorkflow(spec, subprocess_specs, script_engine=SCRIPT_ENGINE)


def dump(workflow: BpmnWorkflow) -> bytes:
    """The state in the current format (:data:`SERIALIZER_VERSION`): specs apart."""
    return dump_sized(workflow)[0]


def dump_sized(workflow: BpmnWorkflow) -> tuple[bytes, int]:
    """:func:`dump`, and the size of the JSON it compressed (what a cache weighs it by)."""
    text = _apart.serialize_json(workflow).encode()
    return zlib.compress(text, COMPRESSION), len(text)


def dump_unkept(workflow: BpmnWorkflow) -> bytes:
    """:func:`dump` converting every task afresh: what the kept conversions must equal."""
    return _apart_plain.serialize_json(workflow).encode()


def dump_embedded(workflow: BpmnWorkflow) -> bytes:
    """SpiffWorkflow's own format, specs inside (:data:`EMBEDDED_VERSION`): what states
    written before held; kept to export a whole instance and to test upgrades."""
    return zlib.compress(_embedded.serialize_json(workflow).encode(), 6)


def load(
    data: bytes,
    specs: tuple[Any, dict[str, Any]] | None = None,
    *,
    version: str = SERIALIZER_VERSION,
) -> BpmnWorkflow:
    """A workflow from saved bytes. ``specs`` are (root spec, sub-workflow specs), needed by
    the current format; a state saved with its specs embedded (``version`` without the
    suffix) ignores them."""
    text = zlib.decompress(data).decode()
    if version == SERIALIZER_VERSION:
        token = _SPECS.set(specs)
        try:
            workflow = _apart.deserialize_json(text)
        finally:
            _SPECS.reset(token)
    else:
        workflow = _embedded.deserialize_json(text)
    # The script engine is not part of the saved state: never run with the default one.
    workflow.script_engine = SCRIPT_ENGINE
    return workflow
