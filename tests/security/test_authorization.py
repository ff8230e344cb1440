"""Every route x every role: allowed or refused, generated from the app's URL map.

A route added without an access rule fails here (and is refused at run time).
Every state-changing request needs its CSRF token.
"""

from __future__ import annotations

import pytest
from flask import Flask

from tests.conftest import ROLES
from tests.support.web import ADULT_SCREENING, csrf_from, sign_in
from webapp.security.rules import PUBLIC, SIGNED_IN, Rule, allow, rule_of


@pytest.fixture
def case(web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    consent = web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0]
    return started.case_ref, consent.id


def _endpoints(app: Flask):
    """Every route and method; signing out last, so the session lasts the whole walk."""
    found = [
        (url_rule, method)
        for url_rule in app.url_map.iter_rules()
        if url_rule.endpoint != "static"
        for method in sorted(url_rule.methods - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda pair: pair[0].endpoint == "auth.sign_out")


def _path(url_rule, case_ref: str, task_id: str) -> str:
    values = {
        "ref": case_ref,
        "task_id": task_id,
        "instance_id": 1,
        "seq": 1,
        "incident_id": 1,
        "timer_id": "no-such-timer",
        "username": "caseworker",
        "file_name": "identification.bpmn",
        "process_key": "identification",
        "name": "screening.json",
        "lang": "th",
    }
    return url_rule.build({k: values[k] for k in url_rule.arguments})[1]


def test_every_route_declares_a_rule(app):
    missing = [
        r.endpoint for r, _ in _endpoints(app) if rule_of(app.view_functions[r.endpoint]) is None
    ]
    assert missing == []


def test_a_route_without_a_rule_is_refused(web_engine):
    from webapp.app import create_app

    app = create_app(web_engine)
    app.add_url_rule("/forgotten", "forgotten", lambda: "secret")
    app.add_url_rule("/declared", "declared", allow(PUBLIC)(lambda: "fine"))
    assert app.test_client().get("/forgotten").status_code == 403
    assert app.test_client().get("/declared").status_code == 200


def _refused_by_rule(response, anonymous: bool) -> bool:
    if anonymous:
        if response.status_code == 302:
            return "/signin" in response.headers.get("Location", "")
        return (
            response.status_code == 401
            and response.is_json
            and response.json["code"] == "unauthorized"
        )
    return response.status_code == 403


@pytest.mark.parametrize("who", [None, *ROLES])
def test_route_by_role_matrix(app, case, who):
    case_ref, task_id = case
    client = app.test_client()
    if who:
        assert sign_in(client, who).status_code == 302
    token = csrf_from(client.get("/signin" if who is None else "/").text)
    outcomes = []
    for url_rule, method in _endpoints(app):
        rule: Rule = rule_of(app.view_functions[url_rule.endpoint])
        path = _path(url_rule, case_ref, task_id)
        if method == "GET":
            response = client.get(path)
        else:
            response = client.open(path, method=method, data={"csrf_token": token})
        with app.app_context():
            allowed = rule.allows(None if who is None else _actor_for(who))
        refused = _refused_by_rule(response, who is None)
        outcomes.append((method, path, rule.name, allowed, refused, response.status_code))
        assert refused is (not allowed), outcomes[-1]
    assert outcomes


def _actor_for(role: str):
    from engine.users.actors import Actor

    return Actor(role, frozenset({role}))


def test_every_post_needs_its_csrf_token(app, case, signed_in):
    case_ref, task_id = case
    client = signed_in("admin")  # passes every route rule, so only the missing token can refuse
    for url_rule, method in _endpoints(app):
        if method == "GET" or url_rule.endpoint.startswith("api."):
            continue
        response = client.open(_path(url_rule, case_ref, task_id), method=method, data={})
        assert response.status_code == 400, url_rule.endpoint
        assert "did not come from this site" in response.text


def test_api_calls_with_a_session_cookie_need_the_csrf_header(app, case, signed_in):
    _, task_id = case
    client = signed_in("caseworker")
    refused = client.post(f"/api/v1/tasks/{task_id}/claim")
    assert refused.status_code == 400
    token = csrf_from(client.get("/").text)
    allowed = client.post(f"/api/v1/tasks/{task_id}/claim", headers={"X-CSRF-Token": token})
    assert allowed.status_code == 200


def test_security_headers_everywhere(client):
    for path in ("/signin", "/", "/api/v1/openapi.json", "/static/app.css"):
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert "frame-ancestors 'none'" in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Referrer-Policy"] == "no-referrer"
        response.close()


def test_rules_are_what_they_say():
    assert not SIGNED_IN.allows(None)
    assert PUBLIC.allows(None)
