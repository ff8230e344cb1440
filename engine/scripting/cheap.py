"""Which expressions may run inside the server: the ones whose cost is bounded by their shape.

Most pathway code is a gateway condition, a guard or a timer value:
``presumed_victim == True``, ``not case.get('asylum_pending', False)``,
``add_working_days(referral_at, 5)``. Sending each to a sandbox process would
cost a round trip per gateway, so an expression runs in the server only when it
is short and made of nodes that cannot loop, cannot allocate beyond their
inputs and call nothing but functions with bounded work: no comprehensions, no
lambdas, no arithmetic (``*`` and ``**`` make big values from small ones), no
methods that grow or copy. Such an expression does at most a few dozen
operations, each linear in task data that is itself bounded. Everything else,
and every script, runs in a worker process with hard limits (:mod:`.isolation`).
"""

from __future__ import annotations

import ast
from functools import lru_cache

from engine.scripting.policy import ALLOWED_ATTRIBUTES

MAX_CHEAP_CHARS = 400
MAX_CHEAP_NODES = 80

_NODES = (
    ast.Expression,
    ast.Constant,
    ast.Name,
    ast.Load,
    ast.Compare,
    ast.BoolOp,
    ast.And,
    ast.Or,
    ast.UnaryOp,
    ast.Not,
    ast.USub,
    ast.UAdd,
    ast.IfExp,
    ast.Subscript,
    ast.Tuple,
    ast.List,
    ast.Set,
    ast.Dict,
    ast.Attribute,
    ast.Call,
    ast.keyword,
    ast.JoinedStr,
    ast.FormattedValue,
    *(type(op) for op in (ast.Eq(), ast.NotEq(), ast.Lt(), ast.LtE(), ast.Gt(), ast.GtE())),
    *(type(op) for op in (ast.In(), ast.NotIn(), ast.Is(), ast.IsNot())),
)

# Each does work linear in its arguments, which are bounded task data, or a bounded
# amount of date arithmetic (the helpers refuse out-of-range counts themselves).
_FUNCTIONS = frozenset(
    {
        "len",
        "bool",
        "abs",
        "min",
        "max",
        "any",
        "all",
        "today",
        "now",
        "add_days",
        "days_between",
        "add_working_days",
        "in_working_days",
        "add_months",
        "in_months",
    }
)

# The sandbox's methods minus those that change their object or build a bigger one.
_METHODS = ALLOWED_ATTRIBUTES - {
    "append",
    "extend",
    "insert",
    "pop",
    "remove",
    "add",
    "discard",
    "join",
    "replace",
}


def _cheap_node(node: ast.AST) -> bool:
    if not isinstance(node, _NODES):
        return False
    if isinstance(node, ast.Attribute):
        return node.attr in _METHODS
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in _FUNCTIONS
        return isinstance(func, ast.Attribute) and func.attr in _METHODS
    if isinstance(node, ast.FormattedValue):
        return node.format_spec is None and node.conversion == -1
    return True


@lru_cache(maxsize=4096)
def is_cheap(expression: str) -> bool:
    """True when ``expression`` may be evaluated in the server process."""
    if not isinstance(expression, str) or len(expression) > MAX_CHEAP_CHARS:
        return False
    try:
        tree = ast.parse(expression.strip(), "<pathway>", "eval")
    except SyntaxError:
        return False
    nodes = list(ast.walk(tree))
    return len(nodes) <= MAX_CHEAP_NODES and all(_cheap_node(n) for n in nodes)
