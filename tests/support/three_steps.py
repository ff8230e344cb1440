"""The smallest pathway with a sequence of user tasks: three steps, one required note each.

What the statement budget, the workflow cache tests and ``bench/completion.py`` complete: no
condition, script or timer, so a completion costs only what every completion costs.
"""

from __future__ import annotations

from tests.support import bpmn as b

NOTE_FORM = {
    "type": "object",
    "properties": {"note": {"type": "string", "title": "Note", "minLength": 1}},
    "required": ["note"],
}


def three_steps() -> str:
    steps = [b.user_task(f"t{i}", f"Step {i}", "note.json") for i in (1, 2, 3)]
    return b.definitions(
        b.process(
            "three_steps",
            b.start(),
            *steps,
            b.end(),
            *b.chain("start", "t1", "t2", "t3", "end"),
            lanes={"Caseworker": ["start", "t1", "t2", "t3", "end"]},
        )
    )


def deploy_three_steps(engine, folder) -> None:
    engine.deploy([b.write(folder, "three.bpmn", three_steps(), {"note.json": NOTE_FORM})],
                  actor="system")  # fmt: skip
