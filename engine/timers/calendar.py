"""Working days and calendar months, for timers that mean them.

SpiffWorkflow's durations are plain time spans: ``P1M`` in a cycle is 30 days and
there is no notion of a weekend. Pathways that mean "5 working days" or "one
month after return" use these helpers in a ``timeDate`` expression instead,
e.g. ``in_working_days(5)`` or ``add_months(return_date, 3)``.
"""

from __future__ import annotations

import calendar
import contextlib
import json
from collections.abc import Iterable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class BusinessCalendar:
    weekend: frozenset[int] = frozenset({5, 6})  # Monday = 0
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def from_file(cls, path: Path) -> BusinessCalendar:
        if not path.exists():
            return cls()
        data = json.loads(path.read_text(encoding="utf-8"))
        return cls.of(data.get("weekend", [5, 6]), data.get("holidays", []))

    @classmethod
    def of(cls, weekend: Iterable[int], holidays: Iterable[str | date]) -> BusinessCalendar:
        days = {h if isinstance(h, date) else date.fromisoformat(h) for h in holidays}
        return cls(frozenset(int(d) for d in weekend), frozenset(days))

    def is_working_day(self, day: date) -> bool:
        return day.weekday() not in self.weekend and day not in self.holidays

    def add_working_days(self, start: date | datetime, days: int) -> date | datetime:
        """The same time of day on the ``days``-th working day after ``start``."""
        if days < 0:
            raise ValueError("working days must not be negative")
        if len(self.weekend) >= 7:
            raise ValueError("a calendar with no working days cannot count them")
        current = start
        remaining = days
        while remaining:
            current += timedelta(days=1)
            if self.is_working_day(current.date() if isinstance(current, datetime) else current):
                remaining -= 1
        return current


def add_months(start: date | datetime, months: int) -> date | datetime:
    """Calendar months: 31 January + 1 month is 28 (or 29) February, not 3 March."""
    month_index = start.month - 1 + months
    year, month = start.year + month_index // 12, month_index % 12 + 1
    day = min(start.day, calendar.monthrange(year, month)[1])
    return start.replace(year=year, month=month, day=day)


_bound: ContextVar[BusinessCalendar | None] = ContextVar("pathways_calendar", default=None)


@contextlib.contextmanager
def using_calendar(business_calendar: BusinessCalendar) -> Iterator[None]:
    token = _bound.set(business_calendar)
    try:
        yield
    finally:
        _bound.reset(token)


def current_calendar() -> BusinessCalendar:
    return _bound.get() or BusinessCalendar()
