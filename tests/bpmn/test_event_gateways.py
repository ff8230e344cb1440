"""Event-based gateways: waiting for another agency's answer with a deadline beside it."""

from __future__ import annotations

from datetime import timedelta

from tests.bpmn.diagrams import CW, deploy, open_tasks, run_to_end
from tests.support import bpmn as b


def answer_or_deadline() -> str:
    return b.definitions(
        '<bpmn:message id="m_decision" name="asylum_decision"/>'
        + b.process(
            "awaiting_decision",
            b.start(),
            '<bpmn:eventBasedGateway id="wait" name="Decision or deadline"/>',
            '<bpmn:intermediateCatchEvent id="decided" name="Decision received">'
            '<bpmn:messageEventDefinition messageRef="m_decision"/></bpmn:intermediateCatchEvent>',
            b.timer_catch("deadline", '"P10D"', name="Decision deadline"),
            b.user_task("record", "Record the decision", "note.json"),
            b.user_task("chase", "Chase the decision", "note.json"),
            b.end(),
            b.end("chased"),
            *b.chain("start", "wait"),
            b.flow("wait", "decided"),
            b.flow("wait", "deadline"),
            *b.chain("decided", "record", "end"),
            *b.chain("deadline", "chase", "chased"),
            lanes={
                CW: ["start", "wait", "decided", "deadline", "record", "chase", "end", "chased"]
            },
        )
    )


def test_the_timer_branch_is_projected_and_fires(engine, tmp_path, people, clock):
    deploy(engine, tmp_path, answer_or_deadline())
    started = engine.start("awaiting_decision", actor=people["caseworker"])
    [timer] = engine.timers(actor="admin")
    # Shown as the timer branch the diagram draws, not as the gateway that waits for it.
    assert (timer.bpmn_id, timer.name, timer.due_at) == (
        "deadline",
        "Decision deadline",
        clock.now() + timedelta(days=10),
    )
    assert open_tasks(engine, people["caseworker"]) == []
    clock.advance(days=10, seconds=1)
    engine.fire_due_timers()
    assert engine.timers(actor="admin") == []  # the branch taken, the gateway's wait is over
    run_to_end(engine, people["caseworker"], started.instance_id, expect=["chase"])
