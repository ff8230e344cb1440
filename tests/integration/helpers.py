"""A small two-process pathway most engine tests run: a lane per role, a timer, a call activity."""

from __future__ import annotations

from pathlib import Path

from tests.support import bpmn as b
from tests.support.intake_versions import INTAKE_FORM, VISIT_FORM, VISIT_SCHEMA, intake_text

__all__ = ["INTAKE_FORM", "VISIT_FORM", "VISIT_SCHEMA", "deploy_pathway", "pathway_text"]


def pathway_text() -> str:
    return intake_text()


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
