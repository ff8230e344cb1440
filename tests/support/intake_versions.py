"""Versions of the engine tests' intake pathway, for migrating running cases between them.

Version 1 is the pathway most engine tests run (``tests/integration/helpers.py``): screen, a
30-day reflection timer, then a follow-up visit (a called pathway) with a 5-day boundary timer.
"""

from __future__ import annotations

from tests.support import bpmn as b

INTAKE_FORM = "intake.json"
VISIT_FORM = "visit.json"
VISIT_SCHEMA = {
    "type": "object",
    "properties": {"visit_notes": {"type": "string", "title": "Notes"}},
    "required": ["visit_notes"],
}
SAFETY_FORM = "safety.json"


def intake_text(
    *, safety_check: bool = False, screen_id: str = "screen", screening: bool = True
) -> str:
    """Without arguments, version 1; ``safety_check`` adds a step after the reflection
    period, ``screen_id`` renames the first step, ``screening=False`` removes it."""
    first = [screen_id] if screening else []
    after_reflection = ["reflection", "safety_check", "follow_up", "end"]
    main = b.process(
        "intake",
        b.start(),
        *([b.user_task(screen_id, "Screen the person", INTAKE_FORM)] if screening else []),
        b.exclusive("presumed_gw", default="f_not_presumed"),
        b.end("not_presumed"),
        b.timer_catch("reflection", '"P30D"', name="Reflection period"),
        *([b.user_task("safety_check", "Check safety", SAFETY_FORM)] if safety_check else []),
        b.call_activity("follow_up", "visit"),
        b.boundary_timer("follow_up_due", "follow_up", '"P5D"'),
        b.end("end"),
        *b.chain("start", *first, "presumed_gw"),
        b.flow("presumed_gw", "reflection", "presumed == True"),
        b.flow("presumed_gw", "not_presumed", fid="f_not_presumed"),
        *b.chain(*(after_reflection if safety_check else ["reflection", "follow_up", "end"])),
        lanes={
            "First responder": ["start", *first, "presumed_gw", "not_presumed", "reflection"],
            "Caseworker": [
                *(["safety_check"] if safety_check else []),
                "follow_up",
                "follow_up_due",
                "end",
            ],
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


def deploy_intake(engine, folder, **variant) -> None:
    """Deploy a version of the intake pathway (``intake.bpmn`` with its forms)."""
    forms = {INTAKE_FORM: b.SIMPLE_FORM, VISIT_FORM: VISIT_SCHEMA, SAFETY_FORM: VISIT_SCHEMA}
    engine.deploy([b.write(folder, "intake.bpmn", intake_text(**variant), forms)], actor="system")
