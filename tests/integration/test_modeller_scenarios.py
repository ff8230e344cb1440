"""Scenarios as part of the pathway: edited, added, retired and run in the modeller, deployed
with the next version, and still a gate: a deploy is refused while any scenario fails."""

from __future__ import annotations

import pytest

from engine.audit.search import AuditFilters
from engine.errors import InvalidRequest, PermissionDenied
from engine.facade.modeller import SimulationFailed
from tests.support.pathway_edits import identification_source, with_new_task

FILE = "identification.bpmn"
CHECK = "screening_opens.yaml"
WRONG = """name: A screening opens for the first responder
steps:
  - start: identification
    as: first_responder
  - expect:
      open_tasks: [initial_interview]
"""
RIGHT = WRONG.replace("[initial_interview]", "[first_contact_screening]")


def _lines(engine):
    return {line.name: line for line in engine.scenarios(actor="coordinator")}


def test_the_shipped_scenarios_are_listed_with_their_titles(web_engine):
    lines = _lines(web_engine)
    assert len(lines) == 20
    story3 = lines["story3_no_return_during_reflection.yaml"]
    assert story3.title.startswith("Story 3: a return cannot be scheduled")
    assert (story3.origin, story3.draft, story3.retired) == ("shipped", None, False)
    text, is_draft = web_engine.scenario_text(story3.name, actor="coordinator")
    assert text.startswith("name: ") and is_draft is False
    with pytest.raises(PermissionDenied):
        web_engine.scenarios(actor="caseworker")


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("name: x\n", "needs a name and steps"),
        ("name: x\nsteps: []\n", "at least one step"),
        ("name: x\nsteps:\n  - just text\n", "step 1 is a mapping"),
        ("name: x\nsteps:\n  - start: a\n    complete: b\n", "exactly one of"),
        ("name: x\nstep:\n  - start: a\nsteps:\n  - start: a\n", "unknown key(s) step"),
        ("name: x\nstart_at: soon\nsteps:\n  - start: a\n", "start_at is a date"),
        ("name: [unclosed\n", "not valid YAML"),
        (
            "a: &a [1,1,1,1,1,1,1,1,1,1]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
            "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
            "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e,*e]\n",
            "expands beyond",
        ),
    ],
)
def test_a_scenario_that_cannot_be_read_is_refused_with_the_reason(web_engine, text, why):
    with pytest.raises(InvalidRequest, match=why.replace("(", r"\(").replace(")", r"\)")):
        web_engine.save_scenario_draft(CHECK, text, actor="coordinator")
    assert CHECK not in _lines(web_engine)
    with pytest.raises(InvalidRequest, match="scenario name"):
        web_engine.save_scenario_draft("../escape.yaml", RIGHT, actor="coordinator")


def test_a_failing_scenario_blocks_the_deploy_until_it_is_fixed(web_engine):
    web_engine.save_scenario_draft(CHECK, WRONG, actor="coordinator")
    assert _lines(web_engine)[CHECK].draft == "edited"
    (result,) = web_engine.run_scenarios(actor="coordinator", only=CHECK)
    assert not result.passed
    assert [state for _, state in result.steps] == ["passed", "failed"]
    assert "open tasks" in result.detail

    edited = with_new_task(identification_source())
    with pytest.raises(SimulationFailed) as blocked:
        web_engine.deploy_source(FILE, edited, actor="coordinator", change_note="referral")
    assert [r.file for r in blocked.value.results if not r.passed] == [CHECK]
    assert web_engine.versions("identification", actor="coordinator")[0].version == 1

    web_engine.save_scenario_draft(CHECK, RIGHT, actor="coordinator")
    (fixed,) = web_engine.run_scenarios(actor="coordinator", only=CHECK)
    assert fixed.passed and [state for _, state in fixed.steps] == ["passed", "passed"]
    web_engine.deploy_source(FILE, edited, actor="coordinator", change_note="referral")
    assert web_engine.versions("identification", actor="coordinator")[0].version == 2
    line = _lines(web_engine)[CHECK]
    assert (line.origin, line.draft) == ("added", None)
    assert web_engine.scenario_text(CHECK, actor="coordinator") == (RIGHT, False)
    events, _ = web_engine.audit_search(AuditFilters(action="scenario:deployed"), actor="admin")
    assert [e.detail["scenario"] for e in events] == [CHECK]
    assert events[0].detail["with_file"] == FILE


def test_a_retired_scenario_is_no_longer_required_and_says_why(web_engine):
    name = "story3_no_return_during_reflection.yaml"
    with pytest.raises(InvalidRequest, match="reason"):
        web_engine.retire_scenario(name, actor="coordinator", reason="  ")
    web_engine.retire_scenario(name, actor="coordinator", reason="reflection moved to a new file")
    assert _lines(web_engine)[name].draft == "retired"
    assert name not in web_engine.scenario_files(actor="coordinator")
    events, _ = web_engine.audit_search(AuditFilters(action="scenario:draft:saved"), actor="admin")
    assert events[0].detail == {
        "scenario": name,
        "retire": True,
        "reason": "reflection moved to a new file",
    }
    web_engine.discard_scenario_draft(name, actor="coordinator")
    assert _lines(web_engine)[name].draft is None
    assert name in web_engine.scenario_files(actor="coordinator")
