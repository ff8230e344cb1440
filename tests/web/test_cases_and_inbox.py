"""Case pages (need-to-know, audited views), the inbox tabs, claiming, reassigning, starting a case."""

from __future__ import annotations

from datetime import date

import pytest
import sqlalchemy as sa

from engine.audit.search import AuditFilters
from engine.errors import InvalidRequest, PermissionDenied
from tests.support.web import ADULT_SCREENING, csrf_from


def _case(web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    return started.case_ref, web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0].id


def _audit(web_engine, action):
    with web_engine.db.sa_engine.connect() as c:
        return c.execute(
            sa.text(
                "SELECT actor, case_ref, detail_json FROM audit_event WHERE action = :a ORDER BY seq"
            ),
            {"a": action},
        ).all()


def test_a_stranger_to_a_case_gets_404_and_the_refusal_is_audited(web_engine, signed_in):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    stranger = signed_in("caseworker")  # no task of theirs on this case yet
    assert stranger.get(f"/cases/{started.case_ref}").status_code == 404
    assert stranger.get(f"/tasks/{screening.id}").status_code == 404
    assert stranger.get("/cases/PP-2026-999999").status_code == 404  # same answer for unknown cases
    refused = _audit(web_engine, "case:access:refused")
    # Each refusal carries the reference asked for, so the case's audit search shows it.
    assert [(a, ref) for a, ref, _ in refused] == [
        ("caseworker", started.case_ref),
        ("caseworker", "PP-2026-999999"),
    ]
    assert started.case_ref in refused[0][2]
    # The first responder who started it, and an administrator, may look; each look is audited.
    assert signed_in("first_responder").get(f"/cases/{started.case_ref}").status_code == 200
    assert signed_in("admin").get(f"/cases/{started.case_ref}").status_code == 200
    assert [a for a, _, _ in _audit(web_engine, "case:viewed")] == ["first_responder", "admin"]


def test_holding_a_task_on_the_case_is_the_relation(web_engine, signed_in):
    case_ref, task_id = _case(web_engine)
    client = signed_in("caseworker")  # the consent task is open in the caseworker role now
    page = client.get(f"/cases/{case_ref}")
    assert page.status_code == 200
    assert "Ask for consent to referral" in page.text
    assert "First-contact screening" in page.text  # done, by whom
    assert "first_responder" in page.text
    assert client.get(f"/tasks/{task_id}").status_code == 200


def test_inbox_tabs_claim_and_unclaim(web_engine, signed_in):
    case_ref, task_id = _case(web_engine)
    client = signed_in("caseworker")
    roles_tab = client.get("/?tab=roles")
    assert "Ask for consent to referral" in roles_tab.text and case_ref in roles_tab.text
    assert 'My roles <span class="count">1</span>' in roles_tab.text
    claimed = client.post(f"/tasks/{task_id}/claim", data={"csrf_token": csrf_from(roles_tab.text)})
    assert claimed.status_code == 302
    assert "Ask for consent" in client.get("/?tab=assigned").text
    assert "Ask for consent" not in client.get("/?tab=roles").text
    page = client.get("/?tab=assigned")
    client.post(f"/tasks/{task_id}/unclaim", data={"csrf_token": csrf_from(page.text)})
    assert "Ask for consent" in client.get("/?tab=roles").text


def test_filters_and_overdue(web_engine, signed_in, clock):
    case_ref, _ = _case(web_engine)
    _case(web_engine)
    client = signed_in("caseworker")
    assert client.get("/?tab=roles").text.count("Ask for consent") == 2
    assert client.get(f"/?tab=roles&case={case_ref}").text.count("Ask for consent") == 1
    assert client.get("/?tab=roles&pathway=return_reintegration").text.count("Ask for consent") == 0
    assert 'Overdue <span class="count">0</span>' in client.get("/").text


def test_only_supervisors_reassign_and_only_to_someone_with_the_role(web_engine, signed_in):
    case_ref, task_id = _case(web_engine)
    web_engine.add_user("caseworker2", roles=["caseworker"])
    web_engine.add_case_member(case_ref, "supervisor", actor="admin", reason="team lead")
    boss = signed_in("supervisor")
    token = csrf_from(boss.get("/").text)
    wrong = boss.post(
        f"/tasks/{task_id}/reassign",
        data={"csrf_token": token, "to_user": "legal_adviser", "reason": "cover"},
    )
    assert wrong.status_code == 400 and "does not hold the role" in wrong.text
    done = boss.post(
        f"/tasks/{task_id}/reassign",
        data={"csrf_token": token, "to_user": "caseworker2", "reason": "leave"},
    )
    assert done.status_code == 302
    assert web_engine.tasks_for("caseworker", case_ref=case_ref)[0].assignee == "caseworker2"
    assert _audit(web_engine, "instance:task:reassigned")[0][0] == "supervisor"


def test_a_first_responder_starts_a_screening_and_gets_it(web_engine, signed_in):
    client = signed_in("first_responder")  # the role of the identification start lane
    response = client.post("/cases", data={"csrf_token": csrf_from(client.get("/").text)})
    assert response.status_code == 302 and "/tasks/" in response.headers["Location"]
    page = client.get(response.headers["Location"])
    assert "First-contact screening" in page.text and "Complete task" in page.text


def test_a_case_opened_by_mistake_is_closed_with_a_reason_and_leaves_inboxes_and_statistics(
    signed_in, web_engine
):
    mistaken = web_engine.start("identification", actor="first_responder")
    assert web_engine.tasks_for("first_responder", case_ref=mistaken.case_ref)
    admin = signed_in("admin")
    page = admin.get(f"/cases/{mistaken.case_ref}").text
    assert "Close as opened by mistake" in page
    path = f"/cases/{mistaken.case_ref}/close-as-mistake"
    blank = admin.post(path, data={"csrf_token": csrf_from(page), "reason": "  "})
    assert "Not closed: a reason is required" in admin.get(blank.headers["Location"]).text
    closed = admin.post(
        path, data={"csrf_token": csrf_from(page), "reason": "Started by accident in training"}
    )
    after = admin.get(closed.headers["Location"]).text
    assert "1 pathway(s) ended" in after and 'id="closed-as-mistake"' in after
    assert "Close as opened by mistake" not in after
    assert web_engine.tasks_for("first_responder", case_ref=mistaken.case_ref) == []
    assert web_engine.dashboard(actor="admin").open_cases == 0
    export = web_engine.export_htcds(actor="admin", start=date(2026, 1, 1), end=date(2026, 12, 31))
    assert export.cases_in_period == 0
    entries, _ = web_engine.audit_search(
        AuditFilters(case_ref=mistaken.case_ref, action="case:closed:mistake"), actor="admin"
    )
    assert [(e.actor, e.detail["reason"]) for e in entries] == [
        ("admin", "Started by accident in training")
    ]


def test_a_case_with_recorded_work_is_not_a_mistake(web_engine):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    with pytest.raises(InvalidRequest, match="is not a mistake: 1 step"):
        web_engine.close_case_as_mistake(started.case_ref, actor="admin", reason="oops")
    with pytest.raises(PermissionDenied):
        web_engine.close_case_as_mistake(started.case_ref, actor="caseworker", reason="oops")
    assert web_engine.tasks_for("caseworker", case_ref=started.case_ref)  # nothing changed


def test_the_command_line_closes_a_mistaken_case_too(web_engine, cli_env):
    import json

    from tests.support.cli import run_pathways

    mistaken = web_engine.start("identification", actor="first_responder")
    refused = run_pathways(
        cli_env,
        "case",
        "close-as-mistake",
        mistaken.case_ref,
        "--as",
        "caseworker",
        "--reason",
        "duplicate",
    )
    assert refused.returncode == 3 and "supervisors and administrators" in refused.stderr
    done = run_pathways(
        cli_env,
        "case",
        "close-as-mistake",
        mistaken.case_ref.lower(),
        "--as",
        "admin",  # a supervisor only on cases they may open; this one is nobody's but its opener's
        "--reason",
        "duplicate of an earlier screening",
        "--json",
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "case_ref": mistaken.case_ref,
        "ended_instances": [mistaken.instance_id],
    }
