from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from engine.clock import FixedClock, ensure_utc, parse_instant
from engine.users.roles import is_valid_role, normalise_role


@pytest.mark.parametrize(
    ("lane", "role"),
    [
        ("Child protection officer", "child_protection_officer"),
        ("child_protection_officer", "child_protection_officer"),
        ("  Child  Protection-Officer ", "child_protection_officer"),
    ],
)
def test_lane_names_and_roles_are_the_same_thing(lane, role):
    assert normalise_role(lane) == role


def test_invalid_roles():
    assert not is_valid_role("1st responder")
    assert not is_valid_role("")


def test_fixed_clock_moves_only_when_told():
    clock = FixedClock(datetime(2026, 3, 1, tzinfo=UTC))
    assert clock.now() == datetime(2026, 3, 1, tzinfo=UTC)
    clock.advance(days=30)
    assert clock.now() == datetime(2026, 3, 31, tzinfo=UTC)
    clock.advance(timedelta(hours=1))
    assert clock.now().hour == 1


def test_naive_times_are_refused_and_iso_parsing_defaults_to_utc():
    with pytest.raises(ValueError, match="naive"):
        ensure_utc(datetime(2026, 1, 1))  # noqa: DTZ001 - the point of the test
    assert parse_instant("2026-01-01T10:00:00+02:00") == datetime(2026, 1, 1, 8, tzinfo=UTC)
    assert parse_instant("2026-01-01") == datetime(2026, 1, 1, tzinfo=UTC)
    assert parse_instant("2026-01-01T00:00:00Z").tzinfo == UTC
