"""Timer values a pathway may use: no negative waits, no cycle that fires for ever or too often.

SpiffWorkflow fires a cycle timer again as soon as its next time has passed, all
inside one step: ``R/PT0S`` never lets the step end, and an unbounded ``R/PT1S``
grows the workflow by a task a second for ever. The rules are checked twice,
with the same words: at deploy for literal values (naming the element), and
when a computed value is evaluated at run time (:func:`check_timer_value`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from SpiffWorkflow.bpmn.specs.event_definitions.timer import (
    CycleTimerEventDefinition,
    DurationTimerEventDefinition,
    TimerEventDefinition,
)

from engine.errors import ScriptRefused

MIN_CYCLE_INTERVAL = timedelta(minutes=1)
MAX_CYCLE_REPETITIONS = 1000


def _duration(text: str) -> timedelta:
    parsed = TimerEventDefinition.parse_iso_duration(text)
    return TimerEventDefinition.get_timedelta_from_start(parsed)


def timer_value_problem(kind: str, value: Any) -> str | None:
    """Why a timer value (``timeDuration``, ``timeDate`` or ``timeCycle``) may not be used."""
    if not isinstance(value, str):
        example = 'e.g. "P30D" (with quotes)'
        return f"a timer must evaluate to ISO 8601 text, {example}; got {value!r:.40}"
    try:
        if kind == "timeDuration":
            if _duration(value) < timedelta(0):
                return f"{value!r}: a wait cannot be negative"
        elif kind == "timeCycle":
            return _cycle_problem(value)
        else:
            TimerEventDefinition.get_datetime(value)
    except Exception:
        return f"{value[:40]!r} is not a valid ISO 8601 {kind[4:].lower()}"
    return None


def _cycle_problem(value: str) -> str | None:
    cycles, _start, interval = TimerEventDefinition.parse_iso_recurring_interval(value)
    if cycles < 0:
        return (
            f"{value!r} repeats for ever: say how often, at most"
            f" {MAX_CYCLE_REPETITIONS} times (R5/P1M)"
        )
    if cycles > MAX_CYCLE_REPETITIONS:
        return f"{value!r} repeats more than {MAX_CYCLE_REPETITIONS} times"
    if interval < MIN_CYCLE_INTERVAL:
        return f"{value!r} repeats more often than once a minute"
    return None


def _kind(definition: TimerEventDefinition) -> str:
    if isinstance(definition, CycleTimerEventDefinition):
        return "timeCycle"
    if isinstance(definition, DurationTimerEventDefinition):
        return "timeDuration"
    return "timeDate"


def _timer_definitions(task_spec) -> list[TimerEventDefinition]:
    definition = getattr(task_spec, "event_definition", None)
    found = [definition, *getattr(definition, "event_definitions", [])]  # event-based gateways
    return [d for d in found if isinstance(d, TimerEventDefinition)]


def check_timer_value(task_spec, expression: str, value: Any) -> None:
    """Refuse a computed timer value breaking the rules, naming the timer; others pass."""
    for definition in _timer_definitions(task_spec):
        if definition.expression != expression:
            continue
        problem = timer_value_problem(_kind(definition), value)
        if problem:
            name = getattr(task_spec, "bpmn_name", None) or getattr(task_spec, "bpmn_id", "")
            raise ScriptRefused(f"timer {name!r}: {problem}")
