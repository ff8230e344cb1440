"""Readable refusals for things pathway scripts must never do.

RestrictedPython refuses much of this too, but with messages written for Python
programmers; coordinators deploying a diagram deserve a sentence that says what
to change. This pass runs before compilation and collects every problem.
"""

from __future__ import annotations

import ast
import re

from engine.scripting.bounds import MAX_FORMAT_WIDTH

MAX_SOURCE_CHARS = 20_000

FORBIDDEN_NAMES = frozenset(
    {
        "open",
        "exec",
        "eval",
        "compile",
        "globals",
        "locals",
        "vars",
        "dir",
        "getattr",
        "setattr",
        "delattr",
        "hasattr",
        "type",
        "object",
        "super",
        "breakpoint",
        "input",
        "help",
        "memoryview",
        "bytearray",
        "bytes",
        "classmethod",
        "staticmethod",
        "property",
        "id",
        "hash",
        "print",
        "exit",
        "quit",
        "license",
        "credits",
        "copyright",
        "format",
        "iter",
        "next",
        "pow",
        "BaseException",
        "Exception",
        "SystemExit",
        "KeyboardInterrupt",
        "GeneratorExit",
    }
)

# Methods a pathway needs on dicts, lists, strings and dates. Everything else,
# notably anything that can allocate without bound (ljust, center, zfill, ...)
# or reach into an object's machinery, is refused at deployment.
ALLOWED_ATTRIBUTES = frozenset(
    {
        # dict
        "get",
        "keys",
        "values",
        "items",
        # list / set
        "append",
        "extend",
        "count",
        "index",
        "pop",
        "insert",
        "remove",
        "copy",
        "add",
        "discard",
        "union",
        "intersection",
        "difference",
        "issubset",
        "issuperset",
        # str
        "lower",
        "upper",
        "title",
        "capitalize",
        "strip",
        "lstrip",
        "rstrip",
        "startswith",
        "endswith",
        "split",
        "splitlines",
        "find",
        "join",
        "replace",
        "isdigit",
        "isalpha",
        "isalnum",
        "isspace",
        # date / datetime / timedelta values returned by helpers
        "year",
        "month",
        "day",
        "hour",
        "minute",
        "weekday",
        "isoweekday",
        "isoformat",
        "date",
        "days",
        "seconds",
        "total_seconds",
    }
)

_REFUSED_NODES: dict[type[ast.AST], str] = {
    ast.Import: "imports are not allowed in pathway scripts",
    ast.ImportFrom: "imports are not allowed in pathway scripts",
    ast.ClassDef: "defining classes is not allowed in pathway scripts",
    ast.AsyncFunctionDef: "async code is not allowed in pathway scripts",
    ast.AsyncFor: "async code is not allowed in pathway scripts",
    ast.AsyncWith: "async code is not allowed in pathway scripts",
    ast.Await: "async code is not allowed in pathway scripts",
    ast.Global: "'global' is not allowed in pathway scripts",
    ast.Nonlocal: "'nonlocal' is not allowed in pathway scripts",
    ast.With: "'with' blocks are not allowed in pathway scripts",
    ast.Yield: "generators are not allowed in pathway scripts",
    # A handler or finally block could swallow the step-budget stop and loop on.
    ast.Try: "'try' blocks are not allowed in pathway scripts",
    ast.TryStar: "'try' blocks are not allowed in pathway scripts",
    ast.YieldFrom: "generators are not allowed in pathway scripts",
}

_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\d+)?(?:\.(\d+))?")


def policy_problems(tree: ast.AST) -> list[str]:
    """Every rule this AST breaks, as sentences with line numbers."""
    problems: list[str] = []

    def refuse(node: ast.AST, message: str) -> None:
        line = getattr(node, "lineno", None)
        problems.append(f"line {line}: {message}" if line else message)

    for node in ast.walk(tree):
        refused = _REFUSED_NODES.get(type(node))
        if refused:
            refuse(node, refused)
        elif isinstance(node, ast.Name):
            if node.id.startswith("_"):
                refuse(node, f"name '{node.id}' is not allowed (names may not start with '_')")
            elif node.id in FORBIDDEN_NAMES:
                refuse(node, f"'{node.id}' is not available in pathway scripts")
        elif isinstance(node, ast.Attribute):
            if node.attr.startswith("_"):
                refuse(node, f"access to '{node.attr}' is not allowed (dunder/private attribute)")
            elif node.attr not in ALLOWED_ATTRIBUTES:
                refuse(node, f"attribute '.{node.attr}' is not allowed in pathway scripts")
        elif isinstance(node, ast.FormattedValue) and node.format_spec is not None:
            _check_format_spec(node, refuse)
        elif (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Mod)
            and isinstance(node.left, ast.Constant)
            and isinstance(node.left.value, str)
        ):
            _check_percent_format(node, node.left.value, refuse)
        elif isinstance(node, ast.keyword) and node.arg and node.arg.startswith("_"):
            refuse(node, f"keyword '{node.arg}' is not allowed")
        elif isinstance(node, ast.arg) and node.arg.startswith("_"):
            refuse(node, f"argument name '{node.arg}' is not allowed")
    return problems


def _check_format_spec(node: ast.FormattedValue, refuse) -> None:
    spec = node.format_spec
    if not isinstance(spec, ast.JoinedStr) or not all(
        isinstance(v, ast.Constant) for v in spec.values
    ):
        refuse(node, "computed format specifications are not allowed")
        return
    text = "".join(str(v.value) for v in spec.values if isinstance(v, ast.Constant))
    if any(int(n) > MAX_FORMAT_WIDTH for n in re.findall(r"\d+", text)):
        refuse(node, f"format width above {MAX_FORMAT_WIDTH} is not allowed")


def _check_percent_format(node: ast.AST, template: str, refuse) -> None:
    for width, precision in _PERCENT_WIDTH.findall(template):
        if (width and int(width) > MAX_FORMAT_WIDTH) or (
            precision and int(precision) > MAX_FORMAT_WIDTH
        ):
            refuse(node, f"format width above {MAX_FORMAT_WIDTH} is not allowed")
