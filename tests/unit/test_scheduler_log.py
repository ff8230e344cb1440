"""The server log keeps real problems visible: an expected skipped sweep is not one."""

from __future__ import annotations

import logging

from engine.timers.scheduler import _SKIPS


def _record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord(
        "apscheduler.scheduler", logging.WARNING, __file__, 1, message, args, None
    )


def test_a_skipped_overlapping_run_is_dropped_and_other_warnings_stay():
    skipped = _record(
        'Execution of job "%s" skipped: maximum number of running instances reached (%d)',
        "pathways-sweep",
        1,
    )
    assert _SKIPS.filter(skipped) is False
    assert _SKIPS.filter(_record('Run time of job "%s" was missed by %s', "x", "0:00:02")) is True
