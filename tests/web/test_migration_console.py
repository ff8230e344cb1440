"""Migrating running cases from the console: the list, the plan, the move, the instance's versions."""

from __future__ import annotations

from tests.support.intake_versions import deploy_intake
from tests.support.web import csrf_from


def _screened_case(web_engine) -> int:
    started = web_engine.start("intake", actor="first_responder")
    (task,) = web_engine.tasks_for("first_responder", case_ref=started.case_ref)
    web_engine.complete_task(
        task.id, actor="first_responder", answers={"name": "A", "presumed": True}
    )
    return started


def test_a_coordinator_plans_and_migrates_from_the_console(web_engine, signed_in, tmp_path):
    deploy_intake(web_engine, tmp_path / "v1")
    moving = _screened_case(web_engine)
    staying = _screened_case(web_engine)
    deploy_intake(web_engine, tmp_path / "v2", safety_check=True)
    client = signed_in("coordinator")

    listing = client.get("/admin/migrations").text
    assert 'href="/admin/migrations/intake"' in listing and "version 1: 2" in listing
    page = client.get("/admin/migrations/intake")
    assert page.status_code == 200
    assert f'id="plan-{moving.instance_id}"' in page.text
    assert "/modeller/processes/intake/compare?old=1&amp;new=2" in page.text

    no_reason = client.post(
        "/admin/migrations/intake?to=2",
        data={"csrf_token": csrf_from(page.text), "instance": [str(moving.instance_id)]},
    )
    assert 'id="migration-error"' in no_reason.text and "reason" in no_reason.text
    done = client.post(
        "/admin/migrations/intake?to=2",
        data={
            "csrf_token": csrf_from(page.text),
            "instance": [str(moving.instance_id)],
            "reason": "safety check after reflection",
        },
    )
    assert done.status_code == 200
    assert "1 case(s) now run version 2." in done.text
    # Only the ticked case moved; the other is still in the plan.
    assert f'id="plan-{moving.instance_id}"' not in done.text
    assert f'id="plan-{staying.instance_id}"' in done.text

    admin_page = signed_in("admin").get(f"/admin/instances/{moving.instance_id}").text
    assert "Version 2 since" in admin_page and "safety check after reflection" in admin_page
    assert "Version 1 since" in admin_page


def test_the_versions_page_links_to_the_migration_of_older_cases(web_engine, signed_in, tmp_path):
    deploy_intake(web_engine, tmp_path / "v1")
    _screened_case(web_engine)
    deploy_intake(web_engine, tmp_path / "v2", safety_check=True)
    versions = signed_in("coordinator").get("/modeller/processes/intake").text
    assert 'href="/admin/migrations/intake?to=2"' in versions


def test_caseworkers_cannot_migrate(web_engine, signed_in, tmp_path):
    deploy_intake(web_engine, tmp_path / "v1")
    started = _screened_case(web_engine)
    deploy_intake(web_engine, tmp_path / "v2", safety_check=True)
    client = signed_in("caseworker")
    token = csrf_from(client.get("/").text)
    refused = client.post(
        "/admin/migrations/intake?to=2",
        data={"csrf_token": token, "instance": [str(started.instance_id)], "reason": "x"},
    )
    assert refused.status_code == 403
    assert [line.instance_id for line in web_engine.migration_plan("intake", 2, actor="admin")] == [
        started.instance_id
    ]
