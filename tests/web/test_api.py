"""The JSON API: bearer tokens, stable error codes, and an OpenAPI document that matches the routes."""

from __future__ import annotations

import pytest

from tests.support.web import ADULT_SCREENING


@pytest.fixture
def api(app, web_engine):
    tokens = {
        who: web_engine.create_token(who, name="test")
        for who in ("first_responder", "caseworker", "legal_adviser")
    }
    client = app.test_client()

    def call(method: str, path: str, who: str | None = None, **kwargs):
        headers = kwargs.pop("headers", {})
        if who:
            headers["Authorization"] = f"Bearer {tokens[who]}"
        return client.open(f"/api/v1{path}", method=method, headers=headers, **kwargs)

    return call


def test_a_case_through_the_api(api):
    started = api("POST", "/cases", "first_responder", json={})
    assert started.status_code == 201
    case_ref = started.json["case_ref"]
    tasks = api("GET", "/tasks", "first_responder").json["tasks"]
    assert [t["bpmn_id"] for t in tasks] == ["first_contact_screening"]
    task = api("GET", f"/tasks/{tasks[0]['id']}", "first_responder").json
    assert task["schema"]["title"] == "First-contact screening" and task["case_ref"] == case_ref

    refused = api(
        "POST",
        f"/tasks/{task['id']}/complete",
        "first_responder",
        json={"answers": {"age_known": "maybe"}},
    )
    assert refused.status_code == 422
    assert refused.json["code"] == "validation_failed"
    assert {"path": "age_known", "message": "Choose one of the listed options."} in refused.json[
        "errors"
    ]

    done = api(
        "POST",
        f"/tasks/{task['id']}/complete",
        "first_responder",
        json={"answers": ADULT_SCREENING},
    )
    assert done.status_code == 200 and done.json["case_ref"] == case_ref
    again = api(
        "POST",
        f"/tasks/{task['id']}/complete",
        "first_responder",
        json={"answers": ADULT_SCREENING},
    )
    assert again.status_code == 409 and again.json["code"] == "conflict"

    consent = api("GET", "/tasks", "caseworker").json["tasks"][0]
    assert (
        api("POST", f"/tasks/{consent['id']}/claim", "caseworker").json["assignee"] == "caseworker"
    )
    status = api("GET", f"/cases/{case_ref}", "caseworker").json
    assert [p["process_key"] for p in status["pathways"]] == ["identification"]
    assert status["completed_tasks"][0]["completed_by"] == "first_responder"


def test_error_codes(api):
    assert api("GET", "/tasks").status_code == 401
    assert api("GET", "/tasks").json["code"] == "unauthorized"
    bad = api("GET", "/tasks", headers={"Authorization": "Bearer pp_not_a_token"})
    assert bad.status_code == 401
    assert api("GET", "/tasks/nope", "caseworker").json["code"] == "not_found"
    assert api("GET", "/cases/PP-2026-000999", "caseworker").json["code"] == "not_found"
    assert api("POST", "/cases", "caseworker", data="not json").json["code"] == "bad_request"
    started = api("POST", "/cases", "first_responder", json={}).json
    screening = api("GET", "/tasks", "first_responder").json["tasks"][0]
    assert (
        api("POST", f"/tasks/{screening['id']}/claim", "legal_adviser").json["code"] == "not_found"
    )
    assert api("GET", f"/cases/{started['case_ref']}", "legal_adviser").status_code == 404


def test_the_openapi_document_lists_every_api_route(app, api):
    document = api("GET", "/openapi.json").json
    assert document["openapi"].startswith("3.")
    documented = {
        (path, method.upper()) for path, ops in document["paths"].items() for method in ops
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("api.") and rule.endpoint != "api.openapi":
            path = rule.rule.removeprefix("/api/v1").replace("<", "{").replace(">", "}")
            routes.update((path, m) for m in rule.methods - {"HEAD", "OPTIONS"})
    assert documented == routes
