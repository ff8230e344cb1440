"""A small two-process pathway most engine tests run: a lane per role, a timer, a call activity."""

from __future__ import annotations

from pathlib import Path

from tests.support import bpmn as b

INTAKE_FORM = "intake.json"
VISIT_FORM = "visit.json"
VISIT_SCHEMA = {
    "type": "object",
    "properties": {"visit_notes": {"type": "string", "title": "Notes"}},
    "required": ["visit_notes"],
}


def pathway_text() -> str:
    main = b.process(
        "intake",
        b.start(),
        b.user_task("screen", "Screen the person", INTAKE_FORM),
        b.exclusive("presumed_gw", default="f_not_presumed"),
        b.end("not_presumed"),
        b.timer_catch("reflection", '"P30D"', name="Reflection period"),
        b.call_activity("follow_up", "visit"),
        b.boundary_timer("follow_up_due", "follow_up", '"P5D"'),
        b.end("end"),
        *b.chain("start", "screen", "presumed_gw"),
        b.flow("presumed_gw", "reflection", "presumed == True"),
        b.flow("presumed_gw", "not_presumed", fid="f_not_presumed"),
        *b.chain("reflection", "follow_up", "end"),
        lanes={
            "First responder": ["start", "screen", "presumed_gw", "not_presumed", "reflection"],
            "Caseworker": ["follow_up", "follow_up_due", "end"],
        },
    )
    visit = b.process(
        "visit",
        b.start("v_start"),
        b.user_task("record_visit", "Record the visit", VISIT_FORM),
        b.script_task("count", "visits = 1"),
        b.end("v_end"),
        *b.chain("v_start", "record_visit", "count", "v_end"),
    )
    return b.definitions(main, visit)


def deploy_pathway(engine, folder: Path) -> None:
    path = b.write(
        folder,
        "intake.bpmn",
        pathway_text(),
        {INTAKE_FORM: b.SIMPLE_FORM, VISIT_FORM: VISIT_SCHEMA},
    )
    engine.deploy([path], actor="system")


def only_task(engine, username: str):
    tasks = engine.tasks_for(username)
    assert len(tasks) == 1, tasks
    return tasks[0]


def execute_sql(engine, *statements: str) -> None:
    """Raw statements, as someone with database access would run them."""
    with engine.db.sa_engine.begin() as connection:
        for statement in statements:
            connection.exec_driver_sql(statement)


def drop_audit_triggers(engine) -> list[str]:
    """What an intruder with DDL rights runs before editing the trail."""
    from tests.conftest import ON_POSTGRES

    if ON_POSTGRES:
        return [
            "DROP TRIGGER audit_event_no_update_delete ON audit_event",
            "DROP TRIGGER audit_chain_head_guard ON audit_chain_head",
        ]
    return [
        "DROP TRIGGER audit_event_no_update",
        "DROP TRIGGER audit_event_no_delete",
        "DROP TRIGGER audit_chain_head_forward_only",
    ]
