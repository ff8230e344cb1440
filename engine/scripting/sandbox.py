"""Running compiled pathway code against a context: the part that happens wherever it runs.

The same two functions run an expression in the server (only the cheap ones,
:mod:`.cheap`) and everything else inside a sandbox worker process
(:mod:`.worker`), so the language a coordinator writes means the same in both.
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


def guards(context: dict[str, Any]) -> dict[str, Any]:
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


def evaluate(expression: str, context: dict, external: dict | None = None, *, steps: bool = True):
    """The value of ``expression``; ``steps`` adds the step budget (off for cheap ones)."""
    code = compile_code(expression, "eval")
    namespace = {**(external or {}), **context, **guards(context)}
    if not steps:
        return eval(code, namespace)  # noqa: S307 - sandbox-compiled, see module docstring
    return bounds.run_bounded(eval, code, namespace)


def execute(script: str, context: dict, external: dict | None = None) -> None:
    """Run ``script``; ``context`` is updated in place with what it assigned or deleted."""
    code = compile_code(script, "exec")
    external = external or {}
    names = guards(dict(context))
    namespace = {**external, **context, **names}
    bounds.run_bounded(exec, code, namespace)
    for name in list(context):
        if name not in namespace:
            del context[name]  # the script deleted it
    for name, value in namespace.items():
        if name in names or name in external or name.startswith("_") or callable(value):
            continue
        context[name] = value
