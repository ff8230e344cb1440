"""Every save checked against SpiffWorkflow's own answers.

A save reuses the JSON of tasks that have not changed, and reads the ready user tasks and
waiting timers with its own walk of the task tree (``engine.spiff``). Tests that drive whole
pathways use this fixture, so each of their saves must equal the state converted afresh,
byte for byte, and each walk must find what SpiffWorkflow's iterator finds, in its order.
"""

from __future__ import annotations

import zlib

import pytest
from SpiffWorkflow.util.task import TaskState

from engine.spiff import serialization
from engine.spiff.inspection import tasks_in

# The states the engine asks for, and mixes of them (the walk's pruning depends on the mask).
STATES = (
    TaskState.READY,
    TaskState.WAITING,
    TaskState.STARTED,
    TaskState.FUTURE,
    TaskState.MAYBE | TaskState.LIKELY,
    TaskState.COMPLETED,
    TaskState.WAITING | TaskState.READY | TaskState.STARTED,
    TaskState.ANY_MASK,
)


def _walks_match(workflow) -> None:
    for state in STATES:
        for manual in (None, True):
            walked = tasks_in(workflow, state, manual=manual)
            iterated = workflow.get_tasks(state=state, manual=manual)
            assert walked == iterated, f"tasks_in({TaskState.get_name(state)}) left the iterator"


@pytest.fixture
def checked_saves(monkeypatch) -> list[int]:
    """The sizes of the saves checked (a test can assert some were)."""
    checked: list[int] = []
    kept = serialization.dump_sized

    def dump_sized(workflow):
        packed, size = kept(workflow)
        afresh = serialization.dump_unkept(workflow)
        assert zlib.decompress(packed) == afresh, "a kept task conversion went stale"
        _walks_match(workflow)
        checked.append(size)
        return packed, size

    monkeypatch.setattr(serialization, "dump_sized", dump_sized)
    return checked
