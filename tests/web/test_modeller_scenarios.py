"""The modeller's scenario pages: list, new, check, run with results per step, draft, retire."""

from __future__ import annotations

from tests.support.web import csrf_from

RIGHT = """name: A screening opens for the first responder
steps:
  - start: identification
    as: first_responder
  - expect:
      open_tasks: [first_contact_screening]
"""
WRONG = RIGHT.replace("[first_contact_screening]", "[initial_interview]")


def _post(client, name, page, **fields):
    return client.post(
        f"/modeller/scenarios/{name}", data={"csrf_token": csrf_from(page), **fields}
    )


def test_a_coordinator_writes_runs_and_drafts_a_scenario(web_engine, signed_in):
    client = signed_in("coordinator")
    listing = client.get("/modeller/scenarios").text
    assert 'href="/modeller/scenarios/story3_no_return_during_reflection.yaml"' in listing
    created = client.get("/modeller/scenarios?new=screening_opens")
    assert created.headers["Location"].endswith("/modeller/scenarios/screening_opens.yaml?new=1")
    page = client.get(created.headers["Location"]).text
    assert "name: What this scenario proves" in page

    unreadable = _post(client, "screening_opens.yaml", page, source="name: [", _action="check")
    assert "Nothing changed" in unreadable.text and "not valid YAML" in unreadable.text
    failed = _post(client, "screening_opens.yaml", page, source=WRONG, _action="run")
    assert 'id="result-screening_opens-yaml"' in failed.text
    assert 'class="step-passed"' in failed.text and 'class="step-failed"' in failed.text
    passed = _post(client, "screening_opens.yaml", page, source=RIGHT, _action="run")
    assert "Reads as a scenario: A screening opens for the first responder" in passed.text
    assert 'class="step-failed"' not in passed.text

    saved = _post(client, "screening_opens.yaml", page, source=RIGHT, _action="save")
    assert saved.status_code == 302
    assert web_engine.scenario_text("screening_opens.yaml", actor="coordinator") == (RIGHT, True)
    assert "edited, not deployed" in client.get("/modeller/scenarios").text


def test_retiring_needs_a_reason(web_engine, signed_in):
    client = signed_in("coordinator")
    name = "story3_no_return_during_reflection.yaml"
    page = client.get(f"/modeller/scenarios/{name}").text
    refused = _post(client, name, page, _action="retire", reason=" ")
    assert "Nothing changed" in refused.text and "reason" in refused.text
    retired = _post(client, name, page, _action="retire", reason="moved into story 3b")
    assert retired.status_code == 302
    assert "to be retired" in client.get("/modeller/scenarios").text
    assert name not in web_engine.scenario_files(actor="coordinator")


def test_an_unknown_or_odd_scenario_name_is_not_found_or_refused(signed_in):
    client = signed_in("coordinator")
    assert client.get("/modeller/scenarios/nothing_here.yaml").status_code == 404
    assert client.get("/modeller/scenarios/Bad%20Name.yaml").status_code == 400
