"""Case facts as pathway code sees them: ``case['is_child']`` to read, ``set_case_fact`` to write.

One pathway's facts guard another's steps (a return cannot be scheduled while
the identification pathway's reflection period runs), so they live with the
case, not in one instance's data. Engine commands bind the case's facts for
the duration of a step; reads see a read-only view, and writes are collected
and saved with the step (see ``engine.instances.facts``).
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator, Mapping
from contextvars import ContextVar
from types import MappingProxyType
from typing import Any

from engine.errors import ScriptRefused

MAX_FACTS_BYTES = 64 * 1024


class CaseFacts:
    def __init__(self, values: dict[str, Any] | None = None, *, version: int | None = None) -> None:
        self._values: dict[str, Any] = dict(values or {})
        self.changed: dict[str, Any] = {}
        self.version = version  # of the stored row these values were read from

    @property
    def values(self) -> dict[str, Any]:
        return dict(self._values)

    def view(self) -> Mapping[str, Any]:
        return MappingProxyType(self._values)

    def set(self, name: str, value: Any) -> None:
        if not isinstance(name, str) or not name.isidentifier() or name.startswith("_"):
            raise ScriptRefused(f"case fact name {name!r} must be a plain identifier")
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError) as err:
            message = f"case fact {name!r} must be plain data (text, numbers, lists)"
            raise ScriptRefused(message) from err
        if len(encoded) > MAX_FACTS_BYTES:
            raise ScriptRefused(f"case fact {name!r} is too large")
        if self._values.get(name, _MISSING) != value:
            self._values[name] = value
            self.changed[name] = value


_MISSING = object()
_bound: ContextVar[CaseFacts | None] = ContextVar("pathways_case_facts", default=None)


@contextlib.contextmanager
def using_facts(facts: CaseFacts) -> Iterator[None]:
    token = _bound.set(facts)
    try:
        yield
    finally:
        _bound.reset(token)


def current_view() -> Mapping[str, Any]:
    facts = _bound.get()
    return facts.view() if facts is not None else MappingProxyType({})


def set_case_fact(name: str, value: Any) -> None:
    """Pathway code: record something this case's other pathways must know."""
    facts = _bound.get()
    if facts is None:
        raise ScriptRefused("case facts can only be set while a case's step runs")
    facts.set(name, value)
