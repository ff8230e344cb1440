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


def test_a_step_ahead_is_kept_while_empty_and_converted_again_once_it_holds_data():
    workflow = _workflow()
    _saved(workflow)
    memo = workflow.__dict__[serialization._MEMO]
    ahead = [
        task
        for task in workflow.get_tasks(state=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        if task.id in memo
    ]
    assert ahead, "the predicted steps' JSON is kept"
    ahead[-1].data["note"] = "arrived early"  # the same dictionary, changed in place
    saved = _saved(workflow)
    assert saved == serialization.dump_unkept(workflow)
    assert b"arrived early" in saved


def test_no_text_in_the_case_data_can_stand_in_for_the_tasks():
    workflow = _workflow()
    first = _complete_next(workflow, '"\\u0000pathways-tasks:0:1"')
    workflow.data["note"] = first.data["note"]
    assert _saved(workflow) == serialization.dump_unkept(workflow)


def test_only_tasks_still_in_the_tree_are_kept():
    workflow = _workflow()
    _saved(workflow)
    memo = workflow.__dict__[serialization._MEMO]
    leaf = next(workflow.tasks[i] for i in reversed(memo) if not workflow.tasks[i]._children)
    # As a decision prunes a predicted step: out of its parent and out of the tree.
    leaf.parent._children.remove(leaf.id)
    del workflow.tasks[leaf.id]
    assert _saved(workflow) == serialization.dump_unkept(workflow)
    assert leaf.id not in workflow.__dict__[serialization._MEMO]
    assert len(workflow.__dict__[serialization._MEMO]) == len(memo) - 1


def test_a_step_ahead_under_a_parent_holding_data_is_kept_until_the_parents_keys_change():
    """Its JSON names the parent's keys as deleted (a delta): kept while they stay the same,
    converted again when one is added, even to the same dictionary in place."""
    workflow = _workflow()
    _complete_next(workflow, "first")
    _saved(workflow)
    memo = workflow.__dict__[serialization._MEMO]
    ahead = [
        task
        for task in workflow.get_tasks(state=TaskState.FUTURE | TaskState.PREDICTED_MASK)
        if task.parent.data and not task.data and task.id in memo
    ]
    assert ahead, "a predicted step under a parent with data is kept"
    task = ahead[0]
    kept = memo[task.id][2]
    _saved(workflow)
    assert workflow.__dict__[serialization._MEMO][task.id][2] is kept
    task.parent.data["added"] = "later"
    saved = _saved(workflow)
    assert saved == serialization.dump_unkept(workflow)
    assert workflow.__dict__[serialization._MEMO][task.id][2] is not kept
    assert '"added"' in workflow.__dict__[serialization._MEMO][task.id][2]
