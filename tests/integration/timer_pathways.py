"""Pathways for the timer tests: a reflection period beside weekly check-ins, and a one-timer process."""

from __future__ import annotations

from pathlib import Path

from tests.support import bpmn as b

SUPPORT_FORM = {"type": "object", "properties": {"notes": {"type": "string"}}}


def recovery_text() -> str:
    """Recovery support with a weekly check-in (4 cycles) and, in parallel, a 30-day reflection period."""
    check_in = (
        '<bpmn:boundaryEvent id="weekly_check_in" name="Weekly check-in" attachedToRef="support" '
        'cancelActivity="false"><bpmn:timerEventDefinition><bpmn:timeCycle>"R4/P7D"</bpmn:timeCycle>'
        "</bpmn:timerEventDefinition></bpmn:boundaryEvent>"
    )
    return b.definitions(
        b.process(
            "recovery",
            b.start(),
            '<bpmn:parallelGateway id="split"/>',
            b.user_task("support", "Recovery support", "support.json"),
            check_in,
            b.end("check_in_done"),
            b.timer_catch("reflection", '"P30D"', name="Reflection period ends"),
            b.user_task("decide", "Conclusive decision", "support.json"),
            b.end("e1"),
            b.end("e2"),
            *b.chain("start", "split"),
            b.flow("split", "support"),
            b.flow("split", "reflection"),
            b.flow("weekly_check_in", "check_in_done"),
            b.flow("support", "e1"),
            *b.chain("reflection", "decide", "e2"),
            lanes={
                "Caseworker": [
                    "start",
                    "split",
                    "support",
                    "weekly_check_in",
                    "check_in_done",
                    "reflection",
                    "decide",
                    "e1",
                    "e2",
                ]
            },
        )
    )


def tick_text(duration: str = '"P1D"') -> str:
    return b.definitions(
        b.process(
            "tick",
            b.start(),
            b.timer_catch("wait", duration, name="Tick"),
            b.end(),
            *b.chain("start", "wait", "end"),
        )
    )


def deploy(engine, folder: Path, name: str, text: str) -> None:
    engine.deploy(
        [b.write(folder, f"{name}.bpmn", text, {"support.json": SUPPORT_FORM})], actor="system"
    )


def start_poisoned(engine, folder: Path, actor: str):
    """An instance whose timer's follow-up step always fails: the raw material of incidents."""
    text = b.definitions(
        b.process(
            "poisoned",
            b.start(),
            b.timer_catch("wait", '"P1D"', name="Poisoned"),
            b.script_task("explode", "x = missing_value + 1"),
            b.end(),
            *b.chain("start", "wait", "explode", "end"),
        )
    )
    engine.deploy([b.write(folder, "poisoned.bpmn", text)], actor="system")
    return engine.start("poisoned", actor=actor)
