"""SpiffWorkflow's script engine, replaced by one that runs only sandboxed code.

SpiffWorkflow does not serialize the script engine: a deserialized workflow has
the default, unrestricted one again (notes, pitfall 2). The engine therefore
assigns :class:`RestrictedScriptEngine` to every workflow it creates *or loads*;
see ``engine.spiff.workflows``.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from RestrictedPython.Guards import (
    full_write_guard,
    guarded_iter_unpack_sequence,
    guarded_unpack_sequence,
)
from SpiffWorkflow.bpmn.script_engine import PythonScriptEngine
from SpiffWorkflow.bpmn.script_engine.python_environment import (
    BasePythonScriptEngineEnvironment,
)

from engine.errors import ScriptRefused
from engine.scripting import bounds, case_facts
from engine.scripting.compiler import compile_code
from engine.scripting.helpers import pathway_builtins
from engine.scripting.policy import ALLOWED_ATTRIBUTES

_WRAPPED_STR_METHODS: dict[str, Callable[[str], Callable[..., str]]] = {
    "join": bounds.checked_join,
    "replace": bounds.checked_replace,
}


def _getattr(obj: Any, name: str) -> Any:
    # The whitelist holds no private names and no str.format: checking it is enough.
    if name not in ALLOWED_ATTRIBUTES:
        raise ScriptRefused(f"attribute '.{name}' is not allowed in pathway scripts")
    if isinstance(obj, str) and name in _WRAPPED_STR_METHODS:
        return _WRAPPED_STR_METHODS[name](obj)
    return getattr(obj, name)


def _guards(context: dict[str, Any]) -> dict[str, Any]:
    """Names the compiled code calls, plus ``case`` (the case's facts) and ``data`` (this
    task's data, for optional answers: ``data.get('x', [])``); set last so task data can
    never override them."""
    return {
        "case": case_facts.current_view(),
        "data": MappingProxyType(context),
        "__builtins__": pathway_builtins(),
        "_getattr_": _getattr,
        "_getitem_": operator.getitem,
        "_getiter_": iter,
        "_write_": full_write_guard,
        "_iter_unpack_sequence_": guarded_iter_unpack_sequence,
        "_unpack_sequence_": guarded_unpack_sequence,
        "_inplacevar_": bounds.inplacevar,
        "_pp_binop_": bounds.binop,
    }


class RestrictedEnvironment(BasePythonScriptEngineEnvironment):
    def evaluate(self, expression: str, context: dict, external_context: dict | None = None):
        code = compile_code(expression, "eval")
        namespace = {**(external_context or {}), **context, **_guards(context)}
        return bounds.run_bounded(eval, code, namespace)

    def execute(self, script: str, context: dict, external_context: dict | None = None) -> bool:
        code = compile_code(script, "exec")
        external = external_context or {}
        guards = _guards(dict(context))
        namespace = {**external, **context, **guards}
        bounds.run_bounded(exec, code, namespace)
        for name in list(context):
            if name not in namespace:
                del context[name]  # the script deleted it
        for name, value in namespace.items():
            if name in guards or name in external or name.startswith("_") or callable(value):
                continue
            context[name] = value
        return True

    def call_service(self, context, **kwargs):
        raise ScriptRefused("service tasks are not supported by Protection Pathways")


class RestrictedScriptEngine(PythonScriptEngine):
    def __init__(self) -> None:
        super().__init__(environment=RestrictedEnvironment())
