"""The administrator console over real HTTP: who may enter, what it shows, what its forms do."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import timedelta

import pytest

from engine.audit.search import AuditFilters
from tests.integration.helpers import drop_audit_triggers, execute_sql
from tests.integration.timer_pathways import start_poisoned
from tests.support.web import ADULT_SCREENING, PASSWORD, csrf_from, sign_in


@pytest.fixture
def case(web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    return started


def _post(client, path, data, page="/admin/"):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get(page).text)})


def _notice(response) -> str:
    match = re.search(r'<p class="notice (\w+)" role="status">([^<]*)</p>', response.text)
    assert match, "no notice on the page"
    return f"{match.group(1)}: {match.group(2)}"


def _events(engine, action):
    return engine.audit_search(AuditFilters(action=action), actor="admin")[0]


@pytest.mark.parametrize("who", ["caseworker", "supervisor", "first_responder"])
def test_the_console_is_closed_to_caseworkers(signed_in, who):
    client = signed_in(who)
    for path in ("/admin/", "/admin/audit", "/admin/users", "/admin/instances/1"):
        assert client.get(path).status_code == 403
    assert "Console" not in client.get("/").text


def test_coordinators_see_the_dashboard_only(signed_in, case):
    client = signed_in("coordinator")
    page = client.get("/admin/")
    assert page.status_code == 200
    assert '<strong id="open-cases">1</strong>' in page.text
    assert "Ask for consent to referral" in page.text  # the stage the open case stands at
    assert '<svg class="chart"' in page.text
    for path in ("/admin/audit", "/admin/users", "/admin/incidents", "/admin/instances"):
        assert client.get(path).status_code == 403


def test_the_dashboard_counts_overdue_work_by_role(signed_in, web_engine, clock):
    child = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=child.case_ref)[0]
    web_engine.complete_task(
        screening.id, actor="first_responder", answers={**ADULT_SCREENING, "age": 15}
    )
    [notify] = [
        t
        for t in web_engine.tasks_for("child_protection_officer", case_ref=child.case_ref)
        if t.due_at
    ]
    assert "Nothing overdue." in signed_in("admin").get("/admin/").text
    clock.set(notify.due_at + timedelta(hours=1))
    overdue = signed_in("admin").get("/admin/").text.split('id="overdue"')[1]
    assert re.search(r">Child protection officer</text>.*?>1</text>", overdue, re.S)


def test_the_instance_page_shows_the_diagram_state_and_the_timeline(signed_in, case, web_engine):
    client = signed_in("admin")
    page = client.get(f"/admin/instances/{case.instance_id}")
    assert page.status_code == 200
    data = json.loads(
        re.search(
            r'<script type="application/json" id="diagram-data">(.*?)</script>', page.text, re.S
        ).group(1)
    )
    root = data[0]
    assert root["key"] == "identification" and root["version"] == 1
    assert "first_contact_screening" in root["completed"]
    assert root["active"] == ["consent_to_referral"]
    assert "<bpmn:definitions" in root["source"] or "<definitions" in root["source"]
    assert "Task completed" in page.text and "first_responder" in page.text
    assert "bpmn-navigated-viewer.production.min.js" in page.text
    assert "unsafe-inline" not in page.headers["Content-Security-Policy"]


def test_opening_a_steps_data_shows_the_answers_and_is_recorded(signed_in, case, web_engine):
    client = signed_in("admin")
    page = client.get(f"/admin/instances/{case.instance_id}").text
    seq = int(re.search(r'href="/admin/events/(\d+)"', page).group(1))
    opened = client.get(f"/admin/events/{seq}")
    assert opened.status_code == 200
    # The form's question and option title, not the field name and stored code.
    assert "Recruitment: deception" in opened.text
    assert "Deceived about the nature of the work, the place or the employer" in opened.text
    assert "dr_nature_of_work" not in opened.text
    assert [e.detail["seq"] for e in _events(web_engine, "audit:data:viewed")] == [seq]


def test_suspending_needs_a_reason_and_is_audited(signed_in, case, web_engine):
    client = signed_in("admin")
    path = f"/admin/instances/{case.instance_id}/status"
    refused = _post(client, path, {"operation": "suspend", "reason": " "})
    assert refused.status_code == 302
    assert "Nothing changed" in _notice(client.get(refused.headers["Location"]))
    assert web_engine.instances(actor="admin", case_ref=case.case_ref)[0].status == "running"

    done = _post(client, path, {"operation": "suspend", "reason": "person missing"})
    page = client.get(done.headers["Location"])
    assert _notice(page) == f"ok: Instance {case.instance_id} suspended."
    assert web_engine.instances(actor="admin", case_ref=case.case_ref)[0].status == "suspended"
    assert 'value="resume"' in page.text
    [event] = _events(web_engine, "instance:suspended")
    assert event.detail["reason"] == "person missing"


def test_an_administrator_reassigns_a_task_from_the_instance_page(signed_in, case, web_engine):
    client = signed_in("admin")
    task = web_engine.tasks_for("caseworker", case_ref=case.case_ref)[0]
    response = _post(
        client,
        f"/admin/tasks/{task.id}/reassign",
        {"to_user": "caseworker", "reason": "covering leave"},
    )
    assert response.headers["Location"].endswith(f"/admin/instances/{case.instance_id}")
    assert web_engine.tasks_for("caseworker", case_ref=case.case_ref)[0].assignee == "caseworker"


def test_a_timer_is_moved_with_its_new_date(signed_in, web_engine, tmp_path):
    poisoned = start_poisoned(web_engine, tmp_path / "p", "admin")
    [timer] = web_engine.timers(actor="admin")
    new_due = (timer.due_at + timedelta(days=3)).replace(second=0, microsecond=0)
    client = signed_in("admin")
    response = _post(
        client,
        f"/admin/timers/{timer.id}/move",
        {
            "due_at": new_due.strftime("%Y-%m-%dT%H:%M"),
            "reason": "extension",
            "instance_id": poisoned.instance_id,
        },
    )
    assert _notice(client.get(response.headers["Location"])) == "ok: Timer moved."
    assert [t.due_at for t in web_engine.timers(actor="admin")] == [new_due]


def test_incidents_are_listed_and_retried_with_a_reason(signed_in, web_engine, tmp_path, clock):
    start_poisoned(web_engine, tmp_path / "p", "admin")
    clock.advance(days=1, seconds=1)
    for _ in range(12):
        web_engine.sweep_timers()
        clock.advance(hours=6)
    [incident] = web_engine.incidents(actor="admin")
    client = signed_in("admin")
    page = client.get("/admin/incidents").text
    assert "missing_value" in page and f"/admin/incidents/{incident.id}/retry" in page
    _post(client, f"/admin/incidents/{incident.id}/retry", {"reason": "script fixed"})
    assert web_engine.incidents(actor="admin") == []
    assert _events(web_engine, "instance:incident:retried")[0].detail["reason"] == "script fixed"


def test_audit_search_filters_exports_and_verifies(signed_in, case, web_engine):
    client = signed_in("admin")
    page = client.get("/admin/audit", query_string={"actor": "first_responder"})
    rows = re.findall(
        r"<tr><td>(\d+)</td><td class=\"nowrap\">[^<]*</td><td>([^<]*)</td>", page.text
    )
    assert rows and {actor for _, actor in rows} == {"first_responder"}
    assert "has not been verified yet" in page.text

    export = client.get("/admin/audit.csv", query_string={"case_ref": case.case_ref})
    assert export.headers["Content-Disposition"].startswith("attachment")
    table = list(csv.DictReader(io.StringIO(export.text)))
    assert table and {r["case_ref"] for r in table} == {case.case_ref}

    verified = _post(client, "/admin/audit/verify", {}, page="/admin/audit")
    status = client.get(verified.headers["Location"]).text
    assert re.search(r"Chain verified up to event \d+ at", status)

    execute_sql(
        web_engine,
        *drop_audit_triggers(web_engine),
        "UPDATE audit_event SET actor = 'nobody' WHERE seq = 2",
    )
    _post(client, "/admin/audit/verify", {}, page="/admin/audit")
    assert "Chain BROKEN at event 2" in client.get("/admin/audit").text


def _seqs(html: str) -> list[int]:
    return [int(s) for s in re.findall(r"<tr><td>(\d+)</td>", html)]


def test_audit_pages_follow_the_cursor(signed_in, case, web_engine):
    for _ in range(60):  # every case view is an event
        web_engine.view_case(case.case_ref, actor="admin")
    client = signed_in("admin")
    first = client.get("/admin/audit", query_string={"actor": "admin"}).text
    assert len(_seqs(first)) == 50 and _seqs(first) == sorted(_seqs(first), reverse=True)
    older = re.search(r'href="(/admin/audit\?[^"]*before=\d+[^"]*)"', first).group(1)
    second = client.get(older.replace("&amp;", "&")).text
    assert _seqs(second) and max(_seqs(second)) < min(_seqs(first))
    assert 'rel="next"' not in second  # 61 events by admin: the second page is the last


def test_a_new_user_must_choose_a_password_at_first_sign_in(signed_in, app, web_engine):
    admin = signed_in("admin")
    created = _post(
        admin,
        "/admin/users",
        {
            "username": "new.worker",
            "display_name": "New Worker",
            "password": "temporary pass 9",
            "roles": ["caseworker"],
        },
    )
    assert created.headers["Location"].endswith("/admin/users/new.worker")
    assert "they choose their own password" in _notice(admin.get(created.headers["Location"]))

    person = app.test_client()
    assert sign_in(person, "new.worker", "temporary pass 9").status_code == 302
    for path in ("/", "/?tab=assigned", "/cases/PP-2026-000001"):
        response = person.get(path)
        assert response.status_code == 302 and response.headers["Location"].endswith(
            "/account/password"
        ), path
    token = csrf_from(person.get("/account/password").text)
    mismatch = person.post(
        "/account/password",
        data={
            "current": "temporary pass 9",
            "new": "a" * 12,
            "repeat": "b" * 12,
            "csrf_token": token,
        },
    )
    assert mismatch.status_code == 422 and "not the same" in mismatch.text
    changed = person.post(
        "/account/password",
        data={
            "current": "temporary pass 9",
            "new": "my own passphrase",
            "repeat": "my own passphrase",
            "csrf_token": token,
        },
    )
    assert changed.status_code == 302
    assert person.get("/").status_code == 200


def test_roles_deactivation_and_case_access_from_the_user_page(signed_in, case, app, web_engine):
    admin = signed_in("admin")
    legal = signed_in("legal_adviser")
    assert legal.get(f"/cases/{case.case_ref}").status_code == 404  # need-to-know

    _post(
        admin, "/admin/users/legal_adviser/cases", {"case_ref": case.case_ref, "reason": "counsel"}
    )
    assert legal.get(f"/cases/{case.case_ref}").status_code == 200
    page = admin.get("/admin/users/legal_adviser").text
    assert case.case_ref in page

    _post(
        admin,
        "/admin/users/legal_adviser/roles",
        {"submitted": "roles", "roles": ["legal_adviser", "witness_support_officer"]},
    )
    user = next(u for u in web_engine.users(actor="admin") if u.username == "legal_adviser")
    assert user.roles == ["legal_adviser", "witness_support_officer"]

    _post(admin, "/admin/users/legal_adviser/active", {"active": "no"})
    response = legal.get("/")
    assert response.status_code == 302 and "/signin" in response.headers["Location"]
    assert sign_in(app.test_client(), "legal_adviser", PASSWORD).status_code == 401  # refused


def test_console_dates_are_read_by_one_parser_that_keeps_the_offset(app):
    from datetime import UTC, datetime

    from engine.errors import InvalidRequest
    from webapp.admin.blueprint import parse_day, parse_moment

    three_utc = datetime(2026, 3, 1, 3, 0, tzinfo=UTC)
    assert parse_day("2026-03-01T10:00+07:00") == three_utc  # converted, not relabelled
    assert parse_moment("2026-03-01T03:00Z") == three_utc
    assert parse_day("2026-03-01") == datetime(2026, 3, 1, tzinfo=UTC)
    assert parse_day("  ") is None
    with app.test_request_context(), pytest.raises(InvalidRequest, match="not a date"):
        parse_day("yesterday")
