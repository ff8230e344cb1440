"""Every scenario in workflows/scenarios/ passes, on this run's database (SQLite or PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.config import PROJECT_ROOT
from engine.errors import InvalidRequest
from engine.scenarios.model import load
from engine.scenarios.runner import run_scenario

SCENARIOS = sorted((PROJECT_ROOT / "workflows" / "scenarios").glob("*.yaml"))


def test_there_are_enough_scenarios():
    assert len(SCENARIOS) >= 15


@pytest.mark.parametrize("path", SCENARIOS, ids=[p.stem for p in SCENARIOS])
def test_scenario(engine, clock, path: Path, checked_saves):
    """Each save of the story also equals its state converted afresh (finished tasks'
    conversions are reused between saves)."""
    engine.deploy(actor="system")
    outcome = run_scenario(engine, clock, load(path))
    assert outcome.passed, outcome.detail
    assert checked_saves


def test_a_failing_scenario_says_which_step_and_why(engine, clock, tmp_path):
    story = tmp_path / "wrong.yaml"
    story.write_text(
        "name: wrong on purpose\n"
        "steps:\n"
        "  - start: identification\n"
        "    as: first_responder\n"
        "  - expect: {open_tasks: [no_such_task]}\n"
    )
    engine.deploy(actor="system")
    outcome = run_scenario(engine, clock, load(story))
    assert not outcome.passed
    assert outcome.detail.startswith("step 2 (expect")
    assert "first_contact_screening" in outcome.detail


def test_a_refusal_that_does_not_come_fails_the_scenario(engine, clock, tmp_path):
    story = tmp_path / "no_refusal.yaml"
    story.write_text(
        "name: expects a refusal that never comes\n"
        "steps:\n"
        "  - start: identification\n"
        "    as: first_responder\n"
        "  - refused: first_contact_screening\n"
        "    as: first_responder\n"
        "    answers: {contact_date: '2026-03-02', contact_setting: police, age_known: known, age: 40,\n"
        "              immediate_safety_risk: false, needs_interpreter: false, language: English,\n"
        "              asylum_indicators: false}\n"
    )
    engine.deploy(actor="system")
    outcome = run_scenario(engine, clock, load(story))
    assert not outcome.passed
    assert "expected a refusal" in outcome.detail


def test_a_story_can_date_answers_from_the_day_it_runs(tmp_path):
    from datetime import UTC, datetime

    from engine.scenarios.model import RelativeDay, resolve_days

    path = tmp_path / "story.yaml"
    path.write_text(
        "name: demo\nsteps:\n  - complete: first_contact_screening\n"
        "    answers: {contact_date: !days_from_today -4, rows: [{at: !days_from_today 2}]}\n",
        encoding="utf-8",
    )
    [step] = load(path).steps
    assert step.options["answers"]["contact_date"] == RelativeDay(-4)
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)
    assert resolve_days(step.options["answers"], now) == {
        "contact_date": "2026-02-26",
        "rows": [{"at": "2026-03-04"}],
    }
    path.write_text("name: x\nsteps:\n  - wait: !days_from_today soon\n", encoding="utf-8")
    with pytest.raises(InvalidRequest, match="whole number of days"):
        load(path)
