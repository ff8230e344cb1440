"""Make SpiffWorkflow's timers read the engine clock.

SpiffWorkflow's timer module calls ``datetime.now(timezone.utc)`` directly
(notes/spiffworkflow-3.2.md, pitfall 3). We replace that module's ``datetime``
name, once, with a subclass whose ``now`` asks the clock bound to the current
context. Engine commands bind their clock with :func:`using_clock`; outside a
binding the wall clock is used, exactly as before.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import datetime

from SpiffWorkflow.bpmn.specs.event_definitions import timer as spiff_timer

from engine.clock import Clock

_bound_clock: ContextVar[Clock | None] = ContextVar("pathways_clock", default=None)


class _ClockedDatetime(datetime):
    @classmethod
    def now(cls, tz=None):  # type: ignore[override]
        clock = _bound_clock.get()
        if clock is None:
            return datetime.now(tz)
        current = clock.now()
        return current.astimezone(tz) if tz is not None else current


def install() -> None:
    """Idempotent; called when the engine package is imported."""
    if spiff_timer.datetime is not _ClockedDatetime:
        spiff_timer.datetime = _ClockedDatetime


@contextlib.contextmanager
def using_clock(clock: Clock) -> Iterator[None]:
    token = _bound_clock.set(clock)
    try:
        yield
    finally:
        _bound_clock.reset(token)


def current_clock() -> Clock | None:
    """The clock bound by the running engine command, for script helpers."""
    return _bound_clock.get()


install()
