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
import json
import secrets
import zlib
from typing import Any

from SpiffWorkflow.bpmn.serializer import BpmnWorkflowSerializer
from SpiffWorkflow.bpmn.serializer.default.workflow import (
    BpmnSubWorkflowConverter,
    BpmnWorkflowConverter,
)
from SpiffWorkflow.bpmn.serializer.helpers.dictionary import DictionaryConverter
from SpiffWorkflow.bpmn.util.subworkflow import BpmnSubWorkflow
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


_MEMO = "_pathways_kept_tasks"
# The tasks' JSON texts of the dump running in this context, by the placeholder standing in
# for them in the workflow's dictionary; set only inside dump_sized().
_TASK_TEXTS: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar(
    "pathways_task_texts", default=None
)


def _unchanging(task: Task) -> tuple[tuple, tuple] | None:
    """What a task's JSON is made from, when that can be kept between saves: a key of values
    (compared by equality) and the objects the key names by ``id`` (held with the kept text,
    so none of them can be freed and its id reused while the key is kept). None: convert the
    task afresh.

    A case's history only grows: most tasks of a long pathway are finished, and a finished
    task under a finished parent does not change (its data is its own copy, its state is
    final). Most of the others are predictions of the steps ahead, which hold no data until
    they are reached. Together they were nearly all of a save's conversions on the child
    pathway. A migration gives finished tasks new specs, so the spec is part of the key.
    A prediction under a parent that holds data lists the parent's keys (SpiffWorkflow
    writes a task's data as changes from its parent's), so those keys are part of its key.
    """
    parent = task.parent
    if parent is None:
        return None  # the root's JSON holds the workflow's whole data
    state, spec = task._state, task.task_spec
    # The key of a task that holds nothing: all its JSON is made of.
    key = (
        task._parent,
        state,
        task.last_state_change,
        task.triggered,
        tuple(task._children),
        id(spec),
    )
    if state & TaskState.FINISHED_MASK and parent._state & TaskState.FINISHED_MASK:
        data, internal, above = task.data, task.internal_data, parent.data
        sizes = (len(data), len(internal), len(above))
        return (*key, id(data), id(internal), id(above), *sizes), (spec, data, internal, above)
    if not task.data and not task.internal_data:
        # Holding nothing of its own, its JSON is a delta naming every key of the parent's
        # data as deleted: those keys, in order, are all else it is made of.
        return (*key, tuple(parent.data)), (spec,)
    return None


class _TasksAsText:
    """A workflow converter writing its tasks as JSON text, keeping each task's text while
    :func:`_unchanging` holds. The dictionary gets a placeholder that :func:`dump_sized`
    replaces with the text: ``json`` cannot embed text it did not write."""

    def mapping_to_dict(self, mapping, **kwargs):
        texts = _TASK_TEXTS.get()
        first = next(iter(mapping.values()), None)
        if texts is None or not isinstance(first, Task):
            return super().mapping_to_dict(mapping, **kwargs)
        encode = self.registry.task_encoder.encode
        memo = first.workflow.__dict__.get(_MEMO, {})
        # Rebuilt at each save, holding only the tasks still in the tree: steps ahead that a
        # decision pruned are not kept for as long as the worker keeps the workflow.
        now_kept = first.workflow.__dict__[_MEMO] = {}
        parts = []
        for task_id, task in mapping.items():
            made_of = _unchanging(task)
            kept = memo.get(task_id) if made_of is not None else None
            if kept is not None and kept[0] == made_of[0]:
                now_kept[task_id] = kept
                parts.append(kept[2])
                continue
            part = f'"{task_id}": {encode(self.registry.convert(task))}'
            if made_of is not None:
                now_kept[task_id] = (*made_of, part)
            parts.append(part)
        placeholder = f"{texts['nonce']}:{len(texts)}"
        texts[placeholder] = "{" + ", ".join(parts) + "}"
        return placeholder


class _TopTasksAsText(_TasksAsText, _SpecsApart):
    pass


class _SubTasksAsText(_TasksAsText, BpmnSubWorkflowConverter):
    pass


def _registry(
    workflow_converter: type, subworkflow_converter: type = BpmnSubWorkflowConverter
) -> DictionaryConverter:
    config = {
        **SPIFF_CONFIG,
        BpmnWorkflow: workflow_converter,
        BpmnSubWorkflow: subworkflow_converter,
    }
    return BpmnWorkflowSerializer.configure(config)


_embedded = BpmnWorkflowSerializer(_registry(BpmnWorkflowConverter))
_apart = BpmnWorkflowSerializer(_registry(_TopTasksAsText, _SubTasksAsText))
# One encoder for the tasks' texts, the serializer's own kind: the same text json.dumps of
# the whole dictionary would write.
_apart.registry.task_encoder = _apart._encoder_cls()
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
    texts = {"nonce": f"\x00pathways-tasks:{secrets.token_hex(16)}"}
    token = _TASK_TEXTS.set(texts)
    try:
        text = _apart.serialize_json(workflow)
    finally:
        _TASK_TEXTS.reset(token)
    del texts["nonce"]
    for placeholder, tasks in texts.items():
        # The nonce is drawn per save, so no text inside the case's data can stand in for it.
        text = text.replace(json.dumps(placeholder), tasks, 1)
    data = text.encode()
    return zlib.compress(data, COMPRESSION), len(data)


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
