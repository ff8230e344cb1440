"""Workflows kept between commands are used only when current, and states keep specs apart.

Two Engine objects on one database stand for two workers: each has its own cache.
"""

from __future__ import annotations

import json
import zlib

import pytest
import sqlalchemy as sa
from SpiffWorkflow.util.task import TaskState

from engine.audit.search import AuditFilters
from engine.instances import store
from engine.runtime import Engine
from engine.spiff import serialization
from engine.spiff.stepping import complete as step_complete


def _next(engine, case_ref, who="caseworker"):
    return engine.tasks_for(who, case_ref=case_ref)[0]


def test_consecutive_steps_reuse_the_workflow_just_saved(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    before = three.services.workflows.stats()
    for _ in range(3):
        task = _next(three, started.case_ref)
        three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
    after = three.services.workflows.stats()
    assert after.hits - before.hits == 3  # the start's save, then each completion's
    assert after.misses == before.misses


def test_another_workers_change_is_never_answered_from_a_stale_copy(
    three, people, settings, keyring, clock
):
    other = Engine(settings, keyring=keyring, clock=clock)
    try:
        started = three.start("three_steps", actor=people["caseworker"])
        first = _next(three, started.case_ref)
        three.complete_task(first.id, actor=people["caseworker"], answers={"note": "one"})
        # The other worker completes step 2: this worker's copy is now a version behind.
        second = _next(other, started.case_ref)
        other.complete_task(second.id, actor=people["caseworker"], answers={"note": "two"})
        misses = three.services.workflows.stats().misses
        third = _next(three, started.case_ref)
        done = three.complete_task(third.id, actor=people["caseworker"], answers={"note": "3"})
        assert three.services.workflows.stats().misses == misses + 1
        assert done.instance_status == "completed"
        events, _ = three.audit_search(
            AuditFilters(case_ref=started.case_ref, action="instance:task:completed"),
            actor=people["admin"],
        )
        assert sorted(e.task_id for e in events) == sorted([first.id, second.id, third.id])
    finally:
        other.close()


def test_a_command_that_fails_after_changing_the_workflow_leaves_no_trace(
    three, people, settings, keyring, clock
):
    started = three.start("three_steps", actor=people["caseworker"])
    first = _next(three, started.case_ref)

    def runs_two_steps_then_fails(session):
        loaded = store.load(session, three.services, started.instance_id)
        for _ in range(2):
            ready = [
                t
                for t in loaded.workflow.get_tasks()
                if t.task_spec.manual and t.state == TaskState.READY
            ]
            step_complete(loaded.workflow, ready[0], {"note": "never"}, loaded.step(three.services))
        store.save(session, three.services, loaded, three.clock.now())
        raise RuntimeError("refused at the last moment")

    with pytest.raises(RuntimeError):
        three.write(runs_two_steps_then_fails)
    # Another worker then moves the instance on by one step: the version the failed copy
    # would have had. Had that copy been kept, step 2 would look done here.
    other = Engine(settings, keyring=keyring, clock=clock)
    try:
        other.complete_task(first.id, actor=people["caseworker"], answers={"note": "kept"})
    finally:
        other.close()
    second = _next(three, started.case_ref)
    assert second.bpmn_id == "t2"
    done = three.complete_task(second.id, actor=people["caseworker"], answers={"note": "2"})
    assert done.instance_status == "running" and _next(three, started.case_ref).bpmn_id == "t3"


def _state(engine, instance_id):
    with engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT serializer_version, ciphertext FROM instance_state WHERE instance_id = :i"
            ),
            {"i": instance_id},
        ).one()


def test_states_name_their_specs_and_older_states_with_specs_still_load(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    version, sealed = _state(three, started.instance_id)
    assert version == serialization.SERIALIZER_VERSION and version.endswith("+apart")
    plain = three.keyring.open(sealed, store.state_associated_data(started.instance_id))
    saved = json.loads(zlib.decompress(plain))
    assert saved["spec"] == "three_steps" and saved["subprocess_specs"] == []

    # A state written before (SpiffWorkflow's own format, specs embedded), as an upgraded
    # database holds them: it loads, runs on, and is saved in the new format.
    with three.db.write() as session:
        loaded = store.load(session, three.services, started.instance_id, for_change=False)
        old = serialization.dump_embedded(loaded.workflow)
    assert json.loads(zlib.decompress(old))["spec"]["name"] == "three_steps"
    with three.db.sa_engine.begin() as c:
        c.execute(
            sa.text(
                "UPDATE instance_state SET serializer_version = :v, ciphertext = :c"
                " WHERE instance_id = :i"
            ),
            {
                "v": serialization.EMBEDDED_VERSION,
                "c": three.keyring.seal(old, store.state_associated_data(started.instance_id)),
                "i": started.instance_id,
            },
        )
    three.services.workflows.clear()  # as after a restart
    task = _next(three, started.case_ref)
    three.complete_task(task.id, actor=people["caseworker"], answers={"note": "after"})
    assert _state(three, started.instance_id)[0] == serialization.SERIALIZER_VERSION
    assert _next(three, started.case_ref).bpmn_id == "t2"


def test_a_state_is_refused_with_specs_it_was_not_saved_with(three, people):
    started = three.start("three_steps", actor=people["caseworker"])
    _, sealed = _state(three, started.instance_id)
    plain = three.keyring.open(sealed, store.state_associated_data(started.instance_id))
    with three.db.read() as session:
        loaded = store.load(session, three.services, started.instance_id, for_change=False)
        wrong = (loaded.workflow.spec, {"somewhere_else": loaded.workflow.spec})
    with pytest.raises(ValueError, match="not the ones this state was saved with"):
        serialization.load(plain, wrong)


def test_reading_an_instance_leaves_the_kept_workflow_in_place(three, people):
    """The administrator's instance page deserializes its own copy: the next step still
    finds the workflow the last one kept."""
    started = three.start("three_steps", actor=people["caseworker"])
    three.instance_map(started.instance_id, actor=people["admin"])
    hits = three.services.workflows.stats().hits
    task = _next(three, started.case_ref)
    three.complete_task(task.id, actor=people["caseworker"], answers={"note": "x"})
    assert three.services.workflows.stats().hits == hits + 1
