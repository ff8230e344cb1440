"""Working days skip weekends and configured holidays; calendar months are real months."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from engine.clock import FixedClock
from engine.scripting.script_engine import RestrictedEnvironment
from engine.spiff.clock_seam import using_clock
from engine.timers.calendar import BusinessCalendar, add_months, using_calendar

CAL = BusinessCalendar.of([5, 6], ["2026-12-25", "2026-12-28"])


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 12, 21), 5, date(2026, 12, 30)),  # Mon; skips Christmas, the weekend, the 28th
        (date(2026, 12, 18), 1, date(2026, 12, 21)),  # Fri -> Mon
        (date(2026, 12, 19), 1, date(2026, 12, 21)),  # Sat -> Mon
        (date(2026, 12, 21), 0, date(2026, 12, 21)),
    ],
)
def test_working_days(start, days, expected):
    assert CAL.add_working_days(start, days) == expected


def test_working_days_keep_the_time_of_day():
    start = datetime(2026, 12, 24, 15, 30, tzinfo=UTC)
    assert CAL.add_working_days(start, 1) == datetime(2026, 12, 29, 15, 30, tzinfo=UTC)


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError, match="no working days"):
        BusinessCalendar.of(range(7), []).add_working_days(date(2026, 1, 1), 1)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2026, 1, 31), 1, date(2026, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2026, 11, 30), 3, date(2027, 2, 28)),
        (date(2026, 5, 15), 12, date(2027, 5, 15)),
    ],
)
def test_calendar_months(start, months, expected):
    assert add_months(start, months) == expected


def test_script_helpers_use_the_bound_clock_and_calendar():
    env = RestrictedEnvironment()
    clock = FixedClock(datetime(2026, 12, 24, 9, 0, tzinfo=UTC))
    with using_clock(clock), using_calendar(CAL):
        assert env.evaluate("in_working_days(2)", {}) == "2026-12-30T09:00:00+00:00"
        assert env.evaluate("add_working_days('2026-12-24', 1)", {}) == "2026-12-29"
        assert env.evaluate("in_months(2)", {}) == "2027-02-24T09:00:00+00:00"
        assert env.evaluate("add_months(d, 1)", {"d": "2027-01-31"}) == "2027-02-28"


def test_the_shipped_calendar_file_loads(tmp_path):
    from engine.config import CONFIG_DIR

    shipped = BusinessCalendar.from_file(CONFIG_DIR / "calendar.json")
    assert shipped.weekend == frozenset({5, 6})
    assert date(2026, 12, 25) in shipped.holidays
    assert BusinessCalendar.from_file(tmp_path / "missing.json") == BusinessCalendar()
