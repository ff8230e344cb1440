"""Compile pathway code once, refusing anything outside the sandbox.

``check_*`` return readable problems for deployment validation; ``compile_*``
return cached code objects for execution and raise :class:`ScriptRefused` on
the same problems, so nothing that validation would refuse can ever run.
"""

from __future__ import annotations

import ast
import re
from functools import lru_cache
from types import CodeType
from typing import Literal

from RestrictedPython import compile_restricted_eval, compile_restricted_exec
from RestrictedPython.transformer import RestrictingNodeTransformer

from engine.errors import ScriptRefused
from engine.scripting.policy import MAX_SOURCE_CHARS, policy_problems

Mode = Literal["eval", "exec"]

_OPERATORS: dict[type[ast.operator], str] = {
    ast.Pow: "**",
    ast.Mult: "*",
    ast.Add: "+",
    ast.LShift: "<<",
    ast.Mod: "%",
    ast.Sub: "-",
    ast.Div: "/",
    ast.FloorDiv: "//",
    ast.RShift: ">>",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
}


class _BoundedOperators(RestrictingNodeTransformer):
    """RestrictedPython's policy, plus every binary operator routed through ``_pp_binop_``."""

    def visit_BinOp(self, node: ast.BinOp) -> ast.AST:
        node = self.node_contents_visit(node)
        symbol = _OPERATORS.get(type(node.op))
        if symbol is None:
            self.error(node, "this operator is not allowed in pathway scripts")
            return node
        call = ast.Call(
            func=ast.Name(id="_pp_binop_", ctx=ast.Load()),
            args=[ast.Constant(symbol), node.left, node.right],
            keywords=[],
        )
        return ast.fix_missing_locations(ast.copy_location(call, node))


_JUEL = re.compile(r"^\s*[$#]\{")
_FEEL_RANGE = re.compile(r"[\[(\]][^\[\]()]*\.\.[^\[\]()]*[\])\[]")


def foreign_language(source: str) -> str | None:
    """Name the expression language of code written for another engine, with what to write."""
    if _JUEL.match(source):
        return (
            "JUEL expressions (${...}, as in Camunda) are not supported:"
            " write Python, e.g. presumed == True"
        )
    if _FEEL_RANGE.search(source):
        return "FEEL ranges ([1..10]) are not supported: write Python, e.g. 1 <= age <= 10"
    return None


def _problems_and_tree(source: str, mode: Mode) -> tuple[list[str], ast.AST | None]:
    if not isinstance(source, str):
        return ["expression must be text"], None
    if len(source) > MAX_SOURCE_CHARS:
        return [f"longer than {MAX_SOURCE_CHARS} characters"], None
    if foreign := foreign_language(source):
        return [foreign], None
    try:
        tree = ast.parse(source, "<pathway>", mode)
    except SyntaxError as err:
        return [f"line {err.lineno}: syntax error: {err.msg}"], None
    return policy_problems(tree), tree


def _restricted(tree: ast.AST, mode: Mode):
    compile_fn = compile_restricted_eval if mode == "eval" else compile_restricted_exec
    return compile_fn(tree, "<pathway>", policy=_BoundedOperators)


def problems(source: str, mode: Mode) -> list[str]:
    found, tree = _problems_and_tree(source, mode)
    if found or tree is None:
        return found
    result = _restricted(tree, mode)
    return list(result.errors)


def check_expression(source: str) -> list[str]:
    """Problems with a condition, timer or DMN expression; empty when it may run."""
    return problems(source, "eval")


def check_script(source: str) -> list[str]:
    """Problems with a script task or pre/post script; empty when it may run."""
    return problems(source, "exec")


@lru_cache(maxsize=4096)
def compile_code(source: str, mode: Mode) -> CodeType:
    found, tree = _problems_and_tree(source, mode)
    if not found and tree is not None:
        result = _restricted(tree, mode)
        found = list(result.errors)
        if not found and result.code is not None:
            return result.code
    raise ScriptRefused("refused by the script sandbox: " + "; ".join(found))
