"""A scenario that passed on exactly the same inputs is not run again; any change to what it
reads (the pathways, a form, its own text) runs it again, and a failure is never kept."""

from __future__ import annotations

import json

import pytest

from engine.modeller import simulate as simulating
from tests.support.pathway_edits import identification_source, with_new_task

FILE = "identification.bpmn"
SCENARIO = "story3_no_return_during_reflection.yaml"


@pytest.fixture
def runs(monkeypatch):
    """How many scenarios really ran (the real runner, counted), on a memo of this test's own."""
    monkeypatch.setattr(simulating, "MEMO", simulating.SimulationMemo())
    counted: list[str] = []
    real = simulating.run_scenario

    def counting(engine, clock, scenario):
        counted.append(scenario.name)
        return real(engine, clock, scenario)

    monkeypatch.setattr(simulating, "run_scenario", counting)
    return counted


def _simulate(engine, source, only=SCENARIO):
    return engine.simulate(FILE, source, actor="coordinator", only=only)


def test_the_same_inputs_pass_once_and_are_remembered(web_engine, runs):
    source = identification_source()
    first = _simulate(web_engine, source)
    assert [r.passed for r in first] == [True] and len(runs) == 1
    again = _simulate(web_engine, source)
    assert again == first and len(runs) == 1


def test_a_changed_pathway_runs_again(web_engine, runs):
    source = identification_source()
    _simulate(web_engine, source)
    _simulate(web_engine, with_new_task(source))
    assert len(runs) == 2


def test_a_changed_form_or_scenario_runs_again(web_engine, runs):
    source = identification_source()
    _simulate(web_engine, source)
    form = json.loads(web_engine.form_text("screening.json", actor="coordinator"))
    form["title"] = "Screening, reworded"
    web_engine.save_form("screening.json", json.dumps(form), actor="coordinator")
    _simulate(web_engine, source)
    assert len(runs) == 2
    text, _ = web_engine.scenario_text(SCENARIO, actor="coordinator")
    web_engine.save_scenario_draft(SCENARIO, text + "\n# reviewed\n", actor="coordinator")
    _simulate(web_engine, source)
    assert len(runs) == 3


def test_a_failure_is_judged_again_every_time(web_engine, runs):
    source = identification_source()
    text, _ = web_engine.scenario_text(SCENARIO, actor="coordinator")
    broken = text.replace("steps:", "steps:\n  - expect:\n      open_tasks: [no_such_step]", 1)
    web_engine.save_scenario_draft(SCENARIO, broken, actor="coordinator")
    for attempt in (1, 2):
        assert [r.passed for r in _simulate(web_engine, source)] == [False]
        assert len(runs) == attempt


def test_deploy_after_a_passing_simulate_runs_nothing_again(web_engine, runs):
    source = with_new_task(identification_source())
    results = web_engine.simulate(FILE, source, actor="coordinator")
    assert all(r.passed for r in results) and len(runs) == len(results)
    web_engine.deploy_source(FILE, source, actor="coordinator", change_note="a new step")
    assert len(runs) == len(results)
