"""Plain data across the sandbox boundary: JSON plus dates, with hard size and depth limits.

What a script leaves behind becomes task data, is stored with the workflow and is
copied from task to task, so it must be plain data. Encoding is also where a
script's last trick is caught: a list that holds the same list a thousand times
a thousand times is small in memory but astronomically large once written out,
so the encoder counts every item it writes and stops at :data:`MAX_ITEMS`, and
nesting stops at :data:`MAX_DEPTH`.

Special values travel as one-key objects whose key starts with NUL
(``{"\\u0000date": "2026-12-01"}``); an ordinary object that happens to look like
that is wrapped (``{"\\u0000dict": {...}}``), so every value round-trips exactly.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

from engine.errors import ScriptRefused

MAX_DEPTH = 64
MAX_ITEMS = 200_000
MAX_BYTES = 4 * 1024 * 1024

_TAG = "\x00"


class _Budget:
    def __init__(self) -> None:
        self.items = 0

    def count(self, depth: int) -> None:
        self.items += 1
        if self.items > MAX_ITEMS:
            raise ScriptRefused(f"script stopped: its data would hold more than {MAX_ITEMS} items")
        if depth > MAX_DEPTH:
            raise ScriptRefused(f"script stopped: its data nests deeper than {MAX_DEPTH} levels")


def _tagged(kind: str, value: Any) -> dict[str, Any]:
    return {_TAG + kind: value}


_LEAVES: list[tuple[type, str, Callable[[Any], Any]]] = [
    (datetime, "datetime", lambda v: v.isoformat()),  # before date: a datetime is a date
    (date, "date", lambda v: v.isoformat()),
    (time, "time", lambda v: v.isoformat()),
    (timedelta, "timedelta", lambda v: [v.days, v.seconds, v.microseconds]),
    (Decimal, "decimal", str),
]
_COLLECTIONS: dict[type, str] = {tuple: "tuple", set: "set", frozenset: "frozenset"}


def _to_plain(value: Any, budget: _Budget, depth: int, where: str) -> Any:
    budget.count(depth)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict):
        plain = {}
        for key, item in value.items():
            if not isinstance(key, str):
                raise ScriptRefused(f"{where}: dictionary keys must be text, not {key!r:.40}")
            plain[key] = _to_plain(item, budget, depth + 1, where)
        if len(plain) == 1 and next(iter(plain)).startswith(_TAG):
            return _tagged("dict", plain)
        return plain
    if isinstance(value, list | tuple | set | frozenset):
        items = [_to_plain(item, budget, depth + 1, where) for item in value]
        kind = _COLLECTIONS.get(type(value))
        return _tagged(kind, items) if kind else items
    for kind_type, kind, convert in _LEAVES:
        if isinstance(value, kind_type):
            return _tagged(kind, convert(value))
    raise ScriptRefused(
        f"{where}: a {type(value).__name__} is not plain data (text, numbers, lists, dates)"
    )


_DECODERS = {
    "dict": lambda v: {k: _from_plain(i) for k, i in v.items()},
    "tuple": lambda v: tuple(_from_plain(i) for i in v),
    "set": lambda v: {_from_plain(i) for i in v},
    "frozenset": lambda v: frozenset(_from_plain(i) for i in v),
    "datetime": datetime.fromisoformat,
    "date": date.fromisoformat,
    "time": time.fromisoformat,
    "timedelta": lambda v: timedelta(days=v[0], seconds=v[1], microseconds=v[2]),
    "decimal": Decimal,
}


def _from_plain(value: Any) -> Any:
    if isinstance(value, list):
        return [_from_plain(item) for item in value]
    if isinstance(value, dict):
        if len(value) == 1:
            key = next(iter(value))
            if key.startswith(_TAG):
                return _DECODERS[key[1:]](value[key])
        return {k: _from_plain(item) for k, item in value.items()}
    return value


def encode(value: Any, *, where: str = "script data") -> bytes:
    """``value`` as bytes, or :class:`ScriptRefused` if it is not plain data or too big."""
    plain = _to_plain(value, _Budget(), 0, where)
    try:
        text = json.dumps(plain, ensure_ascii=False, allow_nan=True, separators=(",", ":"))
    except ValueError as err:  # e.g. a float too large for JSON is still plain data here
        raise ScriptRefused(f"{where}: {err}") from err
    data = text.encode("utf-8")
    if len(data) > MAX_BYTES:
        raise ScriptRefused(f"script stopped: its data would exceed {MAX_BYTES // 1024} KB")
    return data


def decode(data: bytes) -> Any:
    """The inverse of :func:`encode`; the caller bounds ``data``'s size before reading it."""
    return _from_plain(json.loads(data))
