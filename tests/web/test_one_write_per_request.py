"""Every request is at most one write transaction, whatever the door; static files touch no
session; the HTML and API completions leave the same audit story.

Counted on the database's connections (tests/support/statements.py), so what is asserted is
exactly what the server did.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from tests.support import bpmn as b
from tests.support.statements import counting
from tests.support.three_steps import NOTE_FORM
from tests.support.web import csrf_from


@pytest.fixture
def two_steps(web_engine, tmp_path):
    text = b.definitions(
        b.process(
            "two_steps",
            b.start(),
            b.user_task("first", "First step", "note.json"),
            b.user_task("second", "Second step", "note.json"),
            b.end(),
            *b.chain("start", "first", "second", "end"),
            lanes={"Caseworker": ["start", "first", "second", "end"]},
        )
    )
    web_engine.deploy(
        [b.write(tmp_path / "two", "two.bpmn", text, {"note.json": NOTE_FORM})], actor="system"
    )
    return web_engine


def _open_task(engine) -> tuple[str, str]:
    started = engine.start("two_steps", actor="caseworker")
    return started.case_ref, engine.tasks_for("caseworker", case_ref=started.case_ref)[0].id


def _actions_on(engine, task_id: str) -> list[str]:
    with engine.db.sa_engine.connect() as c:
        return list(
            c.execute(
                sa.text("SELECT action FROM audit_event WHERE task_id = :t ORDER BY seq"),
                {"t": task_id},
            ).scalars()
        )


def test_static_files_look_up_no_session(two_steps, signed_in):
    client = signed_in("caseworker")
    with counting(two_steps.db) as counted, client.get("/static/app.css") as sheet:
        assert sheet.status_code == 200
    assert counted.statements == []


def test_an_html_completion_is_one_write_and_tells_the_api_story(two_steps, signed_in):
    client = signed_in("caseworker")
    _, by_form = _open_task(two_steps)
    token = csrf_from(client.get(f"/tasks/{by_form}").text)  # opening the page is audited
    with counting(two_steps.db) as counted:
        done = client.post(f"/tasks/{by_form}", data={"note": "seen", "csrf_token": token})
    assert done.status_code == 302
    assert counted.write_transactions == 1

    api_token = two_steps.create_token("caseworker", name="probe")
    _, by_api = _open_task(two_steps)
    with counting(two_steps.db) as counted:
        answered = client.application.test_client().post(
            f"/api/v1/tasks/{by_api}/complete",
            json={"answers": {"note": "seen"}},
            headers={"Authorization": f"Bearer {api_token}"},
        )
    assert answered.status_code == 200
    assert counted.write_transactions <= 2  # the token's first use notes its time once
    # The page's GET was a view; the POST itself adds exactly what the API adds.
    assert _actions_on(two_steps, by_form) == ["case:viewed", "instance:task:completed"]
    assert _actions_on(two_steps, by_api) == ["instance:task:completed"]


def test_a_refused_html_completion_is_one_write_that_changes_nothing(two_steps, signed_in):
    client = signed_in("caseworker")
    _, task_id = _open_task(two_steps)
    token = csrf_from(client.get(f"/tasks/{task_id}").text)
    before = _actions_on(two_steps, task_id)
    with counting(two_steps.db) as counted:
        refused = client.post(f"/tasks/{task_id}", data={"note": "  ", "csrf_token": token})
    assert refused.status_code == 422 and "This answer is required." in refused.text
    assert counted.write_transactions == 1  # the completion, rolled back
    assert not [s for s in counted.sql if s.startswith(("INSERT", "UPDATE", "DELETE"))]
    assert _actions_on(two_steps, task_id) == before


def test_showing_the_form_again_with_a_new_row_is_an_audited_view(two_steps, signed_in):
    """Only the completion and the draft skip the view event: a page shown again is a view."""
    client = signed_in("caseworker")
    _, task_id = _open_task(two_steps)
    token = csrf_from(client.get(f"/tasks/{task_id}").text)
    with counting(two_steps.db) as counted:
        shown = client.post(
            f"/tasks/{task_id}", data={"_action": "add:nothing", "csrf_token": token}
        )
    assert shown.status_code == 200
    assert counted.write_transactions == 1
    assert _actions_on(two_steps, task_id) == ["case:viewed", "case:viewed"]


def test_a_signed_in_page_reads_the_session_without_writing(two_steps, signed_in):
    client = signed_in("caseworker")
    client.get("/")
    with counting(two_steps.db) as counted:
        assert client.get("/").status_code == 200
    assert counted.write_transactions == 0
