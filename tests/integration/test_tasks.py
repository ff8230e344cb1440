"""Completing, claiming and refusing: a refusal changes nothing at all."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.errors import (
    ConflictError,
    FormValidationFailed,
    NotFound,
    PermissionDenied,
    WorkflowStepFailed,
)
from engine.instances import store
from engine.users.actors import actor_from_rows
from tests.integration.helpers import deploy_pathway, only_task
from tests.support import bpmn as b

# Whole pathways moved, fired and completed: every save equals its state converted afresh.
pytestmark = pytest.mark.usefixtures("checked_saves")


@pytest.fixture
def case(engine, tmp_path, people):
    deploy_pathway(engine, tmp_path / "wf")
    started = engine.start("intake", actor=people["responder"])
    return started, only_task(engine, people["responder"])


def snapshot(engine) -> dict:
    """Everything a command could write."""
    with engine.db.sa_engine.connect() as c:
        return {
            "state": c.execute(
                sa.text("SELECT instance_id, ciphertext FROM instance_state ORDER BY 1")
            ).all(),
            "instances": c.execute(
                sa.text("SELECT id, status, version FROM process_instance ORDER BY 1")
            ).all(),
            "tasks": c.execute(
                sa.text("SELECT id, state, assignee, completed_by FROM human_task ORDER BY 1")
            ).all(),
            "timers": c.execute(sa.text("SELECT id, due_at FROM timer ORDER BY 1")).all(),
            "audit": c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar(),
        }


def test_bad_answers_are_refused_field_by_field_and_nothing_changes(engine, people, case):
    _, task = case
    before = snapshot(engine)
    with pytest.raises(FormValidationFailed) as excinfo:
        engine.complete_task(
            task.id,
            actor=people["responder"],
            answers={"name": "", "date_of_birth": "17/04/2009", "presumed": "yes", "extra": 1},
        )
    assert {(e.path, e.message) for e in excinfo.value.errors} == {
        ("name", "This answer is required."),
        ("date_of_birth", "Enter a date as YYYY-MM-DD."),
        ("presumed", "Choose yes or no."),
        ("extra", "This form has no such question."),
    }
    assert snapshot(engine) == before


def test_good_answers_complete_the_task_and_are_audited_encrypted(engine, people, case):
    started, task = case
    result = engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "Lan", "presumed": False}
    )
    assert result.instance_status == "completed"
    assert engine.tasks_for(people["responder"]) == []
    actions = [(e.action, e.actor) for e in engine.history(started.instance_id, actor="admin")]
    assert actions == [
        ("instance:started", "responder"),
        ("instance:task:completed", "responder"),
        ("instance:completed", "responder"),
    ]
    completed = engine.history(started.instance_id, actor="admin")[1]
    assert completed.has_payload and completed.detail["bpmn_id"] == "screen"
    with engine.db.sa_engine.connect() as c:
        payload = c.execute(
            sa.text("SELECT payload FROM audit_event WHERE seq = :s"), {"s": completed.seq}
        ).scalar()
    assert b"Lan" not in bytes(payload)


def test_only_the_role_assignee_or_admin_may_act(engine, people, case):
    _, task = case
    with pytest.raises(NotFound):  # other roles do not even learn the task exists
        engine.complete_task(
            task.id, actor=people["caseworker"], answers={"name": "x", "presumed": True}
        )
    with pytest.raises(NotFound):
        engine.claim(task.id, actor=people["outsider"])
    assert engine.claim(task.id, actor=people["responder"]).assignee == "responder"
    engine.add_user("responder2", roles=["first_responder"])
    with pytest.raises(PermissionDenied, match="claimed by responder"):
        engine.complete_task(task.id, actor="responder2", answers={"name": "x", "presumed": True})
    with pytest.raises(ConflictError, match="already claimed"):
        engine.claim(task.id, actor="responder2")
    engine.unclaim(task.id, actor=people["responder"])
    engine.complete_task(task.id, actor=people["admin"], answers={"name": "x", "presumed": False})


def test_a_completed_task_cannot_be_completed_again(engine, people, case):
    _, task = case
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "x", "presumed": True}
    )
    with pytest.raises(ConflictError, match="already completed by responder") as excinfo:
        engine.complete_task(
            task.id, actor=people["admin"], answers={"name": "y", "presumed": True}
        )
    assert excinfo.value.task_id == task.id


def test_unknown_and_deactivated_users_cannot_act(engine, people, case):
    _, task = case
    with pytest.raises(NotFound, match="no user"):
        engine.complete_task(task.id, actor="ghost", answers={})
    with engine.db.sa_engine.begin() as c:
        c.execute(sa.text("UPDATE app_user SET is_active = false WHERE username = 'responder'"))
    with pytest.raises(PermissionDenied, match="deactivated"):
        engine.complete_task(task.id, actor=people["responder"], answers={})
    # Who acts is refused before anything is said about the task, found or not.
    with pytest.raises(PermissionDenied, match="deactivated"):
        engine.complete_task("no-such-task", actor=people["responder"], answers={})
    with pytest.raises(NotFound, match="no user"):
        engine.complete_task("no-such-task", actor="ghost", answers={})


def test_a_person_with_several_roles_completes_with_all_of_them(engine, people, case):
    """Who acts is read with the task, a row per role: every role counts, none twice."""
    _, task = case
    engine.add_user("many", roles=["legal_aid", "caseworker", "first_responder"])
    done = engine.complete_task(task.id, actor="many", answers={"name": "x", "presumed": True})
    assert done.task_id == task.id
    with engine.db.read() as session:
        rows = store.read_for_task(session, task.id, as_user="many").actor_rows
        assert actor_from_rows(rows)[0].roles == {"legal_aid", "caseworker", "first_responder"}


def test_suspended_instances_accept_no_completions_until_resumed(engine, people, case):
    started, task = case
    with pytest.raises(PermissionDenied):
        engine.suspend(started.instance_id, actor=people["caseworker"], reason="x")
    engine.suspend(started.instance_id, actor=people["admin"], reason="court order")
    with pytest.raises(ConflictError, match="suspended"):
        engine.complete_task(
            task.id, actor=people["responder"], answers={"name": "x", "presumed": True}
        )
    engine.resume(started.instance_id, actor=people["admin"], reason="order lifted")
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "x", "presumed": True}
    )
    actions = [e.action for e in engine.history(started.instance_id, actor="admin")]
    assert actions[1:3] == ["instance:suspended", "instance:resumed"]


def test_terminate_cancels_open_tasks_and_timers(engine, people, case):
    started, task = case
    engine.complete_task(
        task.id, actor=people["responder"], answers={"name": "x", "presumed": True}
    )
    assert engine.timers(actor="admin")
    engine.terminate(started.instance_id, actor=people["admin"], reason="duplicate case")
    assert engine.timers(actor="admin") == []
    with engine.db.sa_engine.connect() as c:
        status = c.execute(sa.text("SELECT status FROM process_instance")).scalar()
    assert status == "terminated"


def test_a_failing_script_rolls_everything_back(engine, people, tmp_path):
    form = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    text = b.definitions(
        b.process(
            "fragile",
            b.start(),
            b.user_task("ask", "Ask", "n.json"),
            b.script_task("divide", "result = 10 // n"),
            b.end(),
            *b.chain("start", "ask", "divide", "end"),
            lanes={"Caseworker": ["start", "ask", "divide", "end"]},
        )
    )
    engine.deploy([b.write(tmp_path / "f", "fragile.bpmn", text, {"n.json": form})], actor="system")
    engine.start("fragile", actor=people["caseworker"])
    task = only_task(engine, people["caseworker"])
    before = snapshot(engine)
    with pytest.raises(WorkflowStepFailed, match="divide") as excinfo:
        engine.complete_task(task.id, actor=people["caseworker"], answers={"n": 0})
    assert "ZeroDivisionError" in excinfo.value.message or "division" in excinfo.value.message
    assert snapshot(engine) == before
    engine.complete_task(task.id, actor=people["caseworker"], answers={"n": 5})


def test_a_runaway_script_is_stopped_and_rolled_back(engine, people, tmp_path):
    text = b.definitions(
        b.process(
            "spin",
            b.start(),
            b.user_task("ask", "Ask", "n.json"),
            b.script_task("loop", "i = 0\nwhile True:\n    i += 1"),
            b.end(),
            *b.chain("start", "ask", "loop", "end"),
            lanes={"Caseworker": ["start", "ask", "loop", "end"]},
        )
    )
    form = {"type": "object", "properties": {"n": {"type": "integer"}}}
    engine.deploy([b.write(tmp_path / "f", "spin.bpmn", text, {"n.json": form})], actor="system")
    engine.start("spin", actor=people["caseworker"])
    task = only_task(engine, people["caseworker"])
    with pytest.raises(WorkflowStepFailed, match="steps"):
        engine.complete_task(task.id, actor=people["caseworker"], answers={})
    assert only_task(engine, people["caseworker"]).id == task.id
