"""What pathway code may call: a small set of builtins and date helpers.

Dates stay ISO strings in task data (they come from JSON forms and must
serialize unchanged), so the helpers take and return strings. ``today()`` and
``now()`` read the engine clock, never the wall clock, so scenarios that move
time move scripts with them.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

from engine.clock import SystemClock
from engine.rules import ilo_ec
from engine.scripting.bounds import safe_range, safe_sum
from engine.scripting.case_facts import set_case_fact
from engine.spiff.clock_seam import current_clock
from engine.timers import calendar as business


def _clock_now() -> datetime:
    return (current_clock() or SystemClock()).now()


def today() -> str:
    """The current UTC date as ``YYYY-MM-DD``."""
    return _clock_now().date().isoformat()


def now() -> str:
    """The current UTC time as ISO 8601."""
    return _clock_now().isoformat()


MAX_WORKING_DAYS = 3660  # ten years of working days: counted one day at a time
MAX_MONTHS = 1200


def _count(value: int, limit: int, what: str) -> int:
    """Counts from task data are bounded here, so every helper does bounded work."""
    number = int(value)
    if abs(number) > limit:
        raise ValueError(f"{what} must be at most {limit}")
    return number


def _parse(value: str) -> date | datetime:
    if not isinstance(value, str):
        raise ValueError("dates are ISO 8601 text, e.g. '2026-12-28'")
    if len(value) == 10:
        return date.fromisoformat(value)
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def add_days(value: str, days: int) -> str:
    """``add_days('2026-12-01', 30) == '2026-12-31'``; keeps a time if there is one."""
    return (_parse(value) + timedelta(days=int(days))).isoformat()


def days_between(start: str, end: str) -> int:
    """Whole days from ``start`` to ``end`` (negative when ``end`` is earlier)."""
    first, second = _parse(start), _parse(end)
    if isinstance(first, datetime):
        first = first.date()
    if isinstance(second, datetime):
        second = second.date()
    return (second - first).days


def add_working_days(value: str, days: int) -> str:
    """Skip weekends and the configured holidays (``engine/data/calendar.json``)."""
    days = _count(days, MAX_WORKING_DAYS, "working days")
    return business.current_calendar().add_working_days(_parse(value), days).isoformat()


def in_working_days(days: int) -> str:
    """For ``timeDate`` timers: now plus ``days`` working days, as ISO 8601."""
    return add_working_days(now(), days)


def add_months(value: str, months: int) -> str:
    """Calendar months, clamped to the month's end (31 Jan + 1 = 28/29 Feb)."""
    return business.add_months(_parse(value), _count(months, MAX_MONTHS, "months")).isoformat()


def in_months(months: int) -> str:
    """For ``timeDate`` timers: now plus ``months`` calendar months, as ISO 8601."""
    return add_months(now(), months)


def ilo_presumption(indicators: list[str], is_child: bool) -> dict:
    """The ILO/EC presumption rule (``engine/rules/ilo_ec.py``) over the screening's indicators."""
    return ilo_ec.assess(list(indicators), is_child=bool(is_child))


def pathway_builtins() -> dict[str, object]:
    """A fresh builtins mapping for one evaluation (scripts cannot mutate a shared one)."""
    return {
        "abs": abs,
        "all": all,
        "any": any,
        "bool": bool,
        "dict": dict,
        "divmod": divmod,
        "enumerate": enumerate,
        "float": float,
        "frozenset": frozenset,
        "int": int,
        "isinstance": isinstance,
        "len": len,
        "list": list,
        "max": max,
        "min": min,
        "range": safe_range,
        "reversed": reversed,
        "round": round,
        "set": set,
        "sorted": sorted,
        "str": str,
        "sum": safe_sum,
        "tuple": tuple,
        "zip": zip,
        "ValueError": ValueError,
        "True": True,
        "False": False,
        "None": None,
        "today": today,
        "now": now,
        "add_days": add_days,
        "days_between": days_between,
        "add_working_days": add_working_days,
        "in_working_days": in_working_days,
        "add_months": add_months,
        "in_months": in_months,
        "set_case_fact": set_case_fact,
        "ilo_presumption": ilo_presumption,
    }
