"""Resource bounds for sandboxed code: operators that refuse huge results and a step budget.

``10**10**10`` or ``'x' * 10**10`` would hang or exhaust memory inside a single
C call; so the compiler routes arithmetic through :func:`binop`, which
estimates the result size first, and :func:`run_bounded` counts trace events
to stop runaway loops with a readable message. Neither is complete (a one-line
``while True: pass`` emits no line events, and many C calls are not metered):
the hard bound is the sandbox worker's CPU and memory limit (:mod:`.isolation`).
"""

from __future__ import annotations

import operator
import re
import sys
from collections.abc import Callable, Iterable
from typing import Any

from engine.errors import ScriptRefused

MAX_SEQUENCE_LENGTH = 1_000_000
MAX_INT_BITS = 65_536
MAX_STEPS = 200_000
MAX_RANGE = 1_000_000
MAX_FORMAT_WIDTH = 1_000

_SEQUENCES = (str, bytes, list, tuple)
_PERCENT_WIDTH = re.compile(r"%[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")


def _too_big(what: str) -> ScriptRefused:
    return ScriptRefused(f"script stopped: {what} would exceed the sandbox size limit")


def _check_len(n: int) -> None:
    if n > MAX_SEQUENCE_LENGTH:
        raise _too_big(f"a sequence of {n} items")


def _check_int(value: object) -> None:
    if isinstance(value, int) and value.bit_length() > MAX_INT_BITS:
        raise _too_big("an integer")


def _pow(a: Any, b: Any) -> Any:
    ints = isinstance(a, int) and isinstance(b, int)
    if ints and b > 0 and abs(a) > 1 and (abs(a).bit_length() - 1) * b > MAX_INT_BITS:
        raise _too_big("a power")
    return a**b


def _mul(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, int):
        _check_len(len(a) * max(b, 0))
    elif isinstance(b, _SEQUENCES) and isinstance(a, int):
        _check_len(len(b) * max(a, 0))
    elif (
        isinstance(a, int)
        and isinstance(b, int)
        and abs(a).bit_length() + abs(b).bit_length() > MAX_INT_BITS
    ):
        raise _too_big("a product")
    return a * b


def _add(a: Any, b: Any) -> Any:
    if isinstance(a, _SEQUENCES) and isinstance(b, _SEQUENCES):
        _check_len(len(a) + len(b))
    return a + b


def _lshift(a: Any, b: Any) -> Any:
    if isinstance(b, int) and b > MAX_INT_BITS:
        raise _too_big("a shift")
    result = a << b
    _check_int(result)
    return result


def _mod(a: Any, b: Any) -> Any:
    if isinstance(a, str):
        for width, precision in _PERCENT_WIDTH.findall(a):
            if "*" in (width, precision):
                raise ScriptRefused("script stopped: '*' widths in % formatting are not allowed")
            if (width and int(width) > MAX_FORMAT_WIDTH) or (
                precision and int(precision) > MAX_FORMAT_WIDTH
            ):
                raise _too_big("a formatted string")
    return a % b


_BINOPS: dict[str, Callable[[Any, Any], Any]] = {
    "**": _pow,
    "*": _mul,
    "+": _add,
    "<<": _lshift,
    "%": _mod,
    "-": operator.sub,
    "/": operator.truediv,
    "//": operator.floordiv,
    ">>": operator.rshift,
    "&": operator.and_,
    "|": operator.or_,
    "^": operator.xor,
}


def binop(op: str, a: Any, b: Any) -> Any:
    """Target of every compiled binary operator (``_pp_binop_``)."""
    return _BINOPS[op](a, b)


def inplacevar(op: str, a: Any, b: Any) -> Any:
    """RestrictedPython's hook for ``x += y`` and friends (``_inplacevar_``)."""
    return binop(op[:-1], a, b)


def safe_range(*args: int) -> range:
    result = range(*args)
    _check_len(len(result))
    if len(result) > MAX_RANGE:
        raise _too_big("a range")
    return result


def safe_sum(values: Iterable[Any], start: Any = 0) -> Any:
    """Numbers only: ``sum`` of lists is a quadratic memory bomb."""
    total = start
    for value in values:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise ScriptRefused("sum() adds numbers only in pathway scripts")
        total = total + value
    if not isinstance(total, int | float):
        raise ScriptRefused("sum() adds numbers only in pathway scripts")
    return total


def checked_join(separator: str) -> Callable[[Iterable[str]], str]:
    def join(items: Iterable[str]) -> str:
        parts = list(items)
        size = sum(len(p) for p in parts if isinstance(p, str)) + len(separator) * max(
            len(parts) - 1, 0
        )
        _check_len(size)
        return separator.join(parts)

    return join


def checked_replace(text: str) -> Callable[..., str]:
    def replace(old: str, new: str, count: int = -1) -> str:
        hits = text.count(old) if old else len(text) + 1
        if count >= 0:
            hits = min(hits, count)
        _check_len(len(text) + hits * max(len(new) - len(old), 0))
        return text.replace(old, new, count)

    return replace


class _StepBudget:
    """A trace function that raises once the code has taken too many steps."""

    def __init__(self, limit: int) -> None:
        self.remaining = limit

    def __call__(self, frame, event, arg):
        self.remaining -= 1
        if self.remaining < 0:
            raise ScriptRefused(
                f"script stopped: it ran more than {MAX_STEPS} steps (runaway loop?)"
            )
        return self


def run_bounded(func: Callable[..., Any], *args: Any, steps: int = MAX_STEPS) -> Any:
    """Run sandboxed code under a step budget, restoring any tracer (coverage, debugger)."""
    previous = sys.gettrace()
    sys.settrace(_StepBudget(steps))
    try:
        return func(*args)
    finally:
        sys.settrace(previous)
