"""SpiffWorkflow's script engine, replaced by one that runs only sandboxed, bounded code.

SpiffWorkflow does not serialize the script engine: a deserialized workflow has
the default, unrestricted one again (notes, pitfall 2). The engine therefore
assigns :class:`RestrictedScriptEngine` to every workflow it creates *or loads*;
see ``engine.spiff.serialization``.

Where code runs: a cheap expression (:mod:`.cheap`) in this process, everything
else in a sandbox worker with hard CPU and memory limits (:mod:`.isolation`).
The worker sees only the task data the code names (all of it when the code
reads ``data``), the case's facts when it reads ``case`` or sets one, the
engine's time and the working-day calendar; it sends back what changed.
"""

from __future__ import annotations

import ast
from functools import lru_cache
from typing import Any

from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from engine.clock import SystemClock
from engine.errors import ScriptRefused
from engine.scripting import case_facts, sandbox
from engine.scripting.cheap import is_cheap
from engine.scripting.compiler import Mode, compile_code
from engine.scripting.isolation import run_isolated
from engine.spiff.clock_seam import current_clock
from engine.timers import calendar as business
from engine.timers.bounds import check_timer_value


@lru_cache(maxsize=4096)
def _names(source: str, mode: Mode) -> frozenset[str]:
    return frozenset(
        n.id for n in ast.walk(ast.parse(source, "<pathway>", mode)) if isinstance(n, ast.Name)
    )


def _request(mode: Mode, source: str, context: dict, external: dict | None) -> dict[str, Any]:
    compile_code(source, mode)  # refused code is refused here, without a round trip
    names = _names(source, mode)
    sent = dict(context) if "data" in names else {n: context[n] for n in names if n in context}
    facts = case_facts.bound_facts()
    wants_facts = facts is not None and bool(names & {"case", "set_case_fact"})
    calendar = business.current_calendar()
    return {
        "op": mode,
        "source": source,
        "context": sent,
        "external": dict(external or {}),
        "facts": facts.values if wants_facts else None,
        "now": (current_clock() or SystemClock()).now().isoformat(),
        "calendar": [sorted(calendar.weekend), sorted(d.isoformat() for d in calendar.holidays)],
    }


def _apply_facts(changed: dict[str, Any]) -> None:
    facts = case_facts.bound_facts()
    for name, value in changed.items():
        if facts is None:
            raise ScriptRefused("case facts can only be set while a case's step runs")
        facts.set(name, value)


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict, external_context: dict | None = None):
        if is_cheap(expression):
            return sandbox.evaluate(expression, context, external_context, steps=False)
        answer = run_isolated(_request("eval", expression, context, external_context))
        _apply_facts(answer.get("facts") or {})
        return answer["value"]

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        answer = run_isolated(_request("exec", script, context, external_context))
        _apply_facts(answer.get("facts") or {})
        for name in answer.get("deleted", []):
            context.pop(name, None)
        context.update(answer.get("set") or {})
        return True

    def call_service(self, context, **kwargs):
        raise ScriptRefused("service tasks are not supported by Protection Pathways")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())

    def evaluate(self, task, expression, external_context=None):
        """Timer values are checked as they are computed: a cycle of ``R/PT0S`` would fire
        for ever inside one step, so it is refused here, naming the timer."""
        value = super().evaluate(task, expression, external_context)
        check_timer_value(task.task_spec, expression, value)
        return value
