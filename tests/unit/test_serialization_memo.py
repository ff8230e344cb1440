"""Finished tasks' conversions are reused between saves, and only while they still hold."""

from __future__ import annotations

import zlib

from SpiffWorkflow.util.task import TaskState

from engine.spiff import serialization
from engine.spiff.parsing import new_parser, parse_xml
from tests.support.three_steps import three_steps


def _workflow():
    parser = new_parser()
    parser.add_bpmn_xml(parse_xml(three_steps().encode(), "three.bpmn"), "three.bpmn")
    workflow = serialization.new_workflow(
        parser.get_spec("three_steps"), parser.get_subprocess_specs("three_steps")
    )
    workflow.do_engine_steps()
    return workflow


def _complete_next(workflow, note: str):
    task = workflow.get_tasks(state=TaskState.READY, manual=True)[0]
    task.set_data(note=note)
    task.run()
    workflow.do_engine_steps()
    return task


def _saved(workflow) -> bytes:
    return zlib.decompress(serialization.dump(workflow))


def test_a_save_equals_the_state_converted_afresh_and_reuses_finished_tasks():
    workflow = _workflow()
    first = _complete_next(workflow, "first")
    assert _saved(workflow) == serialization.dump_unkept(workflow)
    kept = workflow.__dict__[serialization._MEMO][first.id][2]
    _complete_next(workflow, "second")
    assert _saved(workflow) == serialization.dump_unkept(workflow)
    assert workflow.__dict__[serialization._MEMO][first.id][2] is kept  # not converted again


def test_a_finished_task_whose_data_was_replaced_is_converted_again():
    workflow = _workflow()
    first = _complete_next(workflow, "first")
    _complete_next(workflow, "second")
    _saved(workflow)
    first.data = {**first.data, "note": "corrected"}  # a new object: the kept one no longer holds
    saved = _saved(workflow)
    assert saved == serialization.dump_unkept(workflow)
    assert b"corrected" in saved


def test_the_loaded_state_runs_on_like_the_original():
    workflow = _workflow()
    _complete_next(workflow, "first")
    spec = (workflow.spec, workflow.subprocess_specs)
    again = serialization.load(serialization.dump(workflow), spec)
    _complete_next(again, "second")
    _complete_next(again, "third")
    assert again.is_completed()
    assert [t.data.get("note") for t in again.get_tasks(state=TaskState.COMPLETED)][-1] == "third"
