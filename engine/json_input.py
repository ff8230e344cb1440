"""JSON text from outside (request bodies, form schemas typed in the modeller, ``--data``), parsed
with bounds.

``json.loads`` alone turns hostile text into errors nobody catches: nesting deeper than Python's
recursion limit raises ``RecursionError``, an integer of thousands of digits a ``ValueError``
that is not a ``JSONDecodeError``, ``NaN`` and ``1e999`` become floats no form can validate,
and a ``\\u0000`` escape becomes a NUL character that PostgreSQL refuses to store. Here each of
them is a :class:`JsonRefused` with a plain message.
"""

from __future__ import annotations

import json
import math
from typing import Any

MAX_DEPTH = 32


class JsonRefused(ValueError):
    """The text is not JSON we accept; ``str(err)`` says why, plainly."""


def _refuse_constant(name: str) -> Any:
    raise JsonRefused(f"{name} is not a number JSON allows")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise JsonRefused(f"the number {text[:20]} is too large")
    return value


def loads_bounded(text: str | bytes, *, max_depth: int = MAX_DEPTH) -> Any:
    """Parse ``text``; refuse (``JsonRefused``) what :mod:`json` would choke on or let through."""
    too_deep = f"the JSON is nested too deeply (at most {max_depth} levels)"
    try:
        data = json.loads(text, parse_constant=_refuse_constant, parse_float=_finite)
    except JsonRefused:
        raise
    except json.JSONDecodeError as err:
        raise JsonRefused(
            f"not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}"
        ) from None
    except RecursionError:
        raise JsonRefused(too_deep) from None
    except ValueError as err:  # invalid UTF-8; an integer longer than Python converts
        raise JsonRefused(f"not valid JSON: {str(err)[:80]}") from None
    pending = [(data, 1)]
    while pending:  # a stack of our own: no recursion on hostile depth
        value, depth = pending.pop()
        if isinstance(value, str):
            if "\x00" in value:
                raise JsonRefused("the JSON contains a NUL character, which no field accepts")
        elif isinstance(value, dict | list):
            if depth > max_depth:
                raise JsonRefused(too_deep)
            if isinstance(value, dict):
                pending.extend((key, depth) for key in value)
                pending.extend((item, depth + 1) for item in value.values())
            else:
                pending.extend((item, depth + 1) for item in value)
    return data
