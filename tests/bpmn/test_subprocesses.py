"""Embedded sub-processes, nested ones, transactions, event sub-processes, error and escalation.

Each diagram is ours, written for one element; it runs through the engine, which
saves and restores the workflow between every command, with timers fired by the
injected clock.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.bpmn.diagrams import CW, NOTE_FORM, deploy, open_tasks, run_to_end
from tests.support import bpmn as b


def _sub(sid: str, *inner: str, name: str = "", tag: str = "subProcess", extra: str = "") -> str:
    return f'<bpmn:{tag} id="{sid}" name="{name or sid}"{extra}>{"".join(inner)}</bpmn:{tag}>'


def _boundary(eid: str, attached: str, definition: str, interrupting: bool = True) -> str:
    cancel = "true" if interrupting else "false"
    return (
        f'<bpmn:boundaryEvent id="{eid}" name="{eid}" attachedToRef="{attached}"'
        f' cancelActivity="{cancel}">{definition}</bpmn:boundaryEvent>'
    )


def test_an_embedded_sub_process_runs_its_tasks_with_form_lane_and_due_date(
    engine, tmp_path, people, clock
):
    text = b.definitions(
        b.process(
            "with_sub",
            b.start(),
            _sub(
                "visit",
                b.start("v_start"),
                b.user_task("record", "Record the visit", "note.json"),
                b.end("v_end"),
                *b.chain("v_start", "record", "v_end"),
                name="Home visit",
            ),
            b.boundary_timer("visit_due", "visit", '"P5D"'),
            b.user_task("after", "Follow up", "note.json"),
            b.end(),
            b.end("late"),
            *b.chain("start", "visit", "after", "end"),
            b.flow("visit_due", "late"),
            lanes={CW: ["start", "visit", "visit_due", "after", "end", "late"]},
        )
    )
    deploy(engine, tmp_path, text)
    started = engine.start("with_sub", actor=people["caseworker"])
    [record] = open_tasks(engine, people["caseworker"])
    assert (record.bpmn_id, record.role, record.form, record.process_key) == (
        "record",
        "caseworker",
        "note.json",
        "with_sub",
    )
    assert record.due_at == clock.now() + timedelta(days=5)  # the sub-process's boundary timer
    details = engine.task_details(record.id, actor=people["caseworker"])
    assert details.schema == NOTE_FORM
    engine.complete_task(record.id, actor=people["caseworker"], answers={"note": "seen"})
    [after] = open_tasks(engine, people["caseworker"])
    assert after.bpmn_id == "after"
    assert engine.timers(actor="admin") == []  # leaving the sub-process withdrew its deadline
    run_to_end(engine, people["caseworker"], started.instance_id)


def test_nested_sub_processes_and_a_transaction(engine, tmp_path, people):
    inner = _sub(
        "inner",
        b.start("i_start"),
        b.user_task("deep", "Deep step", "note.json"),
        b.end("i_end"),
        *b.chain("i_start", "deep", "i_end"),
    )
    text = b.definitions(
        b.process(
            "nested",
            b.start(),
            _sub(
                "outer",
                b.start("o_start"),
                inner,
                b.end("o_end"),
                *b.chain("o_start", "inner", "o_end"),
            ),
            _sub(
                "tx",
                b.start("t_start"),
                b.user_task("in_tx", "Inside the transaction", "note.json"),
                b.end("t_end"),
                *b.chain("t_start", "in_tx", "t_end"),
                tag="transaction",
            ),
            b.end(),
            *b.chain("start", "outer", "tx", "end"),
            lanes={CW: ["start", "outer", "tx", "end"]},
        )
    )
    deploy(engine, tmp_path, text)
    started = engine.start("nested", actor=people["caseworker"])
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["deep"]
    run_to_end(engine, people["caseworker"], started.instance_id, expect=["deep", "in_tx"])


@pytest.mark.parametrize("kind", ["error", "escalation"])
def test_an_error_or_escalation_end_is_caught_on_the_enclosing_sub_process(
    engine, tmp_path, people, kind
):
    definition = f'<bpmn:{kind}EventDefinition {kind}Ref="{kind}_1"/>'
    declared = f'<bpmn:{kind} id="{kind}_1" name="Unsafe" {kind}Code="unsafe"/>'
    text = b.definitions(
        declared
        + b.process(
            f"raising_{kind}",
            b.start(),
            _sub(
                "check",
                b.start("c_start"),
                b.user_task("assess", "Assess safety", "note.json"),
                b.exclusive("safe_gw", default="f_safe"),
                f'<bpmn:endEvent id="unsafe_end">{definition}</bpmn:endEvent>',
                b.end("c_end"),
                *b.chain("c_start", "assess", "safe_gw"),
                b.flow("safe_gw", "unsafe_end", "note == 'unsafe'"),
                b.flow("safe_gw", "c_end", fid="f_safe"),
            ),
            _boundary("caught", "check", definition),
            b.user_task("protect", "Protect the person", "note.json"),
            b.user_task("proceed", "Proceed", "note.json"),
            b.end(),
            b.end("protected"),
            *b.chain("start", "check", "proceed", "end"),
            *b.chain("caught", "protect", "protected"),
            lanes={CW: ["start", "check", "caught", "protect", "proceed", "end", "protected"]},
        )
    )
    deploy(engine, tmp_path, text)
    started = engine.start(f"raising_{kind}", actor=people["caseworker"])
    [assess] = open_tasks(engine, people["caseworker"])
    engine.complete_task(assess.id, actor=people["caseworker"], answers={"note": "unsafe"})
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["protect"]
    run_to_end(engine, people["caseworker"], started.instance_id, expect=["protect"])


def _timer_event_sub(
    sid: str, wait: str, task: str, title: str, *, interrupting: bool = True
) -> str:
    start = (
        f'<bpmn:startEvent id="{sid}_start" isInterrupting="{str(interrupting).lower()}">'
        f'<bpmn:timerEventDefinition><bpmn:timeDuration>"{wait}"</bpmn:timeDuration>'
        "</bpmn:timerEventDefinition></bpmn:startEvent>"
    )
    return _sub(
        sid,
        start,
        b.user_task(task, title, "note.json"),
        b.end(f"{sid}_end"),
        *b.chain(f"{sid}_start", task, f"{sid}_end"),
        extra=' triggeredByEvent="true"',
    )


def test_event_sub_processes_interrupting_and_not(engine, tmp_path, people, clock):
    reminder = _timer_event_sub("remind", "P7D", "chase", "Chase the answer", interrupting=False)
    give_up = _timer_event_sub("give_up", "P30D", "close", "Close without an answer")
    text = b.definitions(
        b.process(
            "waiting",
            b.start(),
            b.user_task("answer", "Record the answer", "note.json"),
            b.end(),
            reminder,
            give_up,
            *b.chain("start", "answer", "end"),
            lanes={CW: ["start", "answer", "end", "remind", "give_up"]},
        )
    )
    deploy(engine, tmp_path, text)
    started = engine.start("waiting", actor=people["caseworker"])
    assert sorted(t.name for t in engine.timers(actor="admin")) == ["give_up_start", "remind_start"]
    clock.advance(days=8)
    engine.fire_due_timers()
    open_now = sorted(t.bpmn_id for t in open_tasks(engine, people["caseworker"]))
    assert open_now == ["answer", "chase"]  # the reminder did not interrupt
    clock.advance(days=23)
    engine.fire_due_timers()
    assert [t.bpmn_id for t in open_tasks(engine, people["caseworker"])] == ["close"]
    run_to_end(engine, people["caseworker"], started.instance_id, expect=["close"])
