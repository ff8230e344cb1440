"""Case facts cross pathways; guards refuse with their message; four eyes are enforced."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from engine.errors import DeploymentRefused, GuardRefused, PermissionDenied
from tests.integration.helpers import only_task
from tests.support import bpmn as b

EMPTY = {"type": "object", "properties": {"note": {"type": "string"}}}
DATE_FORM = {
    "type": "object",
    "properties": {"departure": {"type": "string", "format": "date"}},
    "required": ["departure"],
}


def _guard(name: str, expression: str, message: str) -> str:
    return (
        f'<spiffworkflow:property name="guard.{name}" value="{expression}"/>'
        f'<spiffworkflow:property name="guard.{name}.message" value="{message}"/>'
    )


def _deploy(engine, tmp_path):
    reflection = b.process(
        "reflection",
        b.start(),
        b.script_task("begin", "set_case_fact('reflection_ends', add_days(today(), 30))"),
        b.user_task("end_reflection", "End the reflection period", "empty.json"),
        b.script_task("over", "set_case_fact('reflection_over', True)"),
        b.end(),
        *b.chain("start", "begin", "end_reflection", "over", "end"),
        lanes={"Caseworker": ["start", "begin", "end_reflection", "over", "end"]},
    )
    guard = _guard(
        "reflection",
        "case.get('reflection_over', False) or 'reflection_ends' not in case",
        "No return can be scheduled during the reflection period.",
    ) + _guard("not_same_day", "departure != today()", "Departure cannot be today.")
    ret = b.process(
        "return",
        b.start("r_start"),
        b.user_task("schedule_return", "Schedule the return", "date.json", extra=guard),
        b.user_task(
            "approve_return",
            "Approve the return",
            "empty.json",
            extra='<spiffworkflow:property name="differentUserThan" value="schedule_return"/>',
        ),
        b.end("r_end"),
        *b.chain("r_start", "schedule_return", "approve_return", "r_end"),
        lanes={"Return officer": ["r_start", "schedule_return", "approve_return", "r_end"]},
    )
    folder = tmp_path / "rules"
    engine.deploy(
        [
            b.write(
                folder,
                "rules.bpmn",
                b.definitions(reflection, ret),
                {"empty.json": EMPTY, "date.json": DATE_FORM},
            )
        ],
        actor="system",
    )


def test_a_fact_set_in_one_pathway_guards_a_step_in_another(engine, tmp_path, people, clock):
    _deploy(engine, tmp_path)
    engine.add_user("ro1", roles=["return_officer"])
    engine.add_user("ro2", roles=["return_officer"])
    started = engine.start("reflection", actor=people["caseworker"])
    engine.add_case_member(
        started.case_ref, "ro1", actor=people["admin"], reason="referred for return"
    )
    engine.start("return", actor="ro1", case_ref=started.case_ref)
    schedule = only_task(engine, "ro1")

    with engine.db.sa_engine.connect() as c:
        before = c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar()
    with pytest.raises(GuardRefused) as excinfo:
        engine.complete_task(schedule.id, actor="ro1", answers={"departure": "2026-02-01"})
    assert excinfo.value.reasons == ["No return can be scheduled during the reflection period."]
    with pytest.raises(GuardRefused) as excinfo:
        engine.complete_task(
            schedule.id, actor="ro1", answers={"departure": clock.now().date().isoformat()}
        )
    assert len(excinfo.value.reasons) == 2
    with engine.db.sa_engine.connect() as c:
        assert (
            c.execute(sa.text("SELECT max(seq) FROM audit_event")).scalar() == before
        )  # nothing written

    end = only_task(engine, people["caseworker"])
    engine.complete_task(end.id, actor=people["caseworker"], answers={})
    engine.complete_task(schedule.id, actor="ro1", answers={"departure": "2026-02-01"})

    approve = only_task(engine, "ro1")
    with pytest.raises(PermissionDenied, match="someone other than"):
        engine.complete_task(approve.id, actor="ro1", answers={})
    engine.complete_task(approve.id, actor="ro2", answers={})

    facts_events = [
        e
        for e in engine.history(started.instance_id, actor="admin")
        if e.action == "case:facts:changed"
    ]
    assert [e.detail["facts"] for e in facts_events] == [["reflection_ends"], ["reflection_over"]]


def test_case_facts_are_encrypted_at_rest(engine, tmp_path, people):
    _deploy(engine, tmp_path)
    engine.start("reflection", actor=people["caseworker"])
    with engine.db.sa_engine.connect() as c:
        blob = c.execute(sa.text("SELECT ciphertext FROM case_facts")).scalar()
    assert bytes(blob).startswith(b"PP1") and b"reflection_ends" not in bytes(blob)


def test_rules_are_checked_at_deployment(engine, tmp_path):
    bad = b.process(
        "bad",
        b.start(),
        b.user_task(
            "t",
            "T",
            "empty.json",
            extra=_guard("x", "__import__('os')", "m")
            + '<spiffworkflow:property name="differentUserThan" value="nowhere"/>',
        ),
        b.end(),
        *b.chain("start", "t", "end"),
        lanes={"Caseworker": ["start", "t", "end"]},
    )
    with pytest.raises(DeploymentRefused) as excinfo:
        engine.deploy(
            [b.write(tmp_path / "bad", "bad.bpmn", b.definitions(bad), {"empty.json": EMPTY})],
            actor="system",
        )
    problems = [str(p) for p in excinfo.value.problems]
    assert any("guard.x:" in p and "__import__" in p for p in problems)
    assert any("differentUserThan: no user task 'nowhere'" in p for p in problems)


def test_forms_may_not_use_reserved_field_names(engine, tmp_path):
    form = {"type": "object", "properties": {"case": {"type": "string"}}}
    text = b.definitions(
        b.process(
            "p",
            b.start(),
            b.user_task("t", "T", "f.json"),
            b.end(),
            *b.chain("start", "t", "end"),
            lanes={"Caseworker": ["start", "t", "end"]},
        )
    )
    with pytest.raises(DeploymentRefused, match="reserved"):
        engine.deploy([b.write(tmp_path / "r", "p.bpmn", text, {"f.json": form})], actor="system")
