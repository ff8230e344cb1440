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

MAX_FACTS_BYTES = 64 * 1024  # one fact
MAX_CASE_FACTS_BYTES = 1024 * 1024  # all of a case's facts together
MAX_FACT_NAME = 80


def _size(value: Any) -> int:
    return len(json.dumps(value))


class CaseFacts:
    """A case's facts for one step. Each is capped, and so are all of them together: they are
    read and rewritten with every step of every pathway of the case."""

    def __init__(self, values: dict[str, Any] | None = None, *, version: int | None = None) -> None:
        self._values: dict[str, Any] = dict(values or {})
        self.changed: dict[str, Any] = {}
        self.version = version  # of the stored row these values were read from
        self._sizes: dict[str, int] | None = None  # measured on the first write only
        # Whether pathway code was handed the facts during this step (to read or evaluate
        # with): a step that never was cannot have depended on them (engine.instances.facts).
        self.consulted = False

    @property
    def values(self) -> dict[str, Any]:
        self.consulted = True
        return dict(self._values)

    def view(self) -> Mapping[str, Any]:
        self.consulted = True
        return MappingProxyType(self._values)

    def set(self, name: str, value: Any) -> None:
        if (
            not isinstance(name, str)
            or not name.isidentifier()
            or name.startswith("_")
            or len(name) > MAX_FACT_NAME
        ):
            raise ScriptRefused(
                f"case fact name {str(name)[:MAX_FACT_NAME]!r} must be a plain identifier"
            )
        try:
            encoded = json.dumps(value)
        except (TypeError, ValueError) as err:
            message = f"case fact {name!r} must be plain data (text, numbers, lists)"
            raise ScriptRefused(message) from err
        if len(encoded) > MAX_FACTS_BYTES:
            raise ScriptRefused(f"case fact {name!r} is too large")
        if self._values.get(name, _MISSING) == value:
            return
        if self._sizes is None:
            self._sizes = {k: _size(v) for k, v in self._values.items()}
        total = sum(self._sizes.values()) - self._sizes.get(name, 0) + len(encoded)
        if total > MAX_CASE_FACTS_BYTES:
            raise ScriptRefused(
                f"case fact {name!r} refused: a case's facts may hold at most"
                f" {MAX_CASE_FACTS_BYTES // 1024} KB together"
            )
        self._sizes[name] = len(encoded)
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


def bound_facts() -> CaseFacts | None:
    """The facts of the step running now, if any (the sandbox sends them to its worker)."""
    return _bound.get()


def current_view() -> Mapping[str, Any]:
    facts = _bound.get()
    return facts.view() if facts is not None else MappingProxyType({})


def set_case_fact(name: str, value: Any) -> None:
    """Pathway code: record something this case's other pathways must know."""
    facts = _bound.get()
    if facts is None:
        raise ScriptRefused("case facts can only be set while a case's step runs")
    facts.set(name, value)
