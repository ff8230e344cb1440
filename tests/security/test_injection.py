"""Hostile text in answers, references, filters and search fields is stored as data and shown
inert; CSV exports neutralise formulas."""

from __future__ import annotations

import csv
import io

from tests.support.web import ADULT_SCREENING, PASSWORD, csrf_from, sign_in

SCRIPT = "<script>alert('pp')</script>"
SQL = "x' OR '1'='1'; DROP TABLE human_task; --"


def test_answers_are_shown_escaped_everywhere(web_engine, signed_in):
    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    web_engine.complete_task(
        screening.id,
        actor="first_responder",
        answers={**ADULT_SCREENING, "alias": SQL, "language": SCRIPT},
    )
    consent = web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0]
    pages = [
        signed_in("caseworker").get(f"/tasks/{consent.id}").text,  # "Language understood" context
    ]
    admin = signed_in("admin")
    history = admin.get(f"/admin/instances/{started.instance_id}").text
    seq = history.split('href="/admin/events/')[1].split('"')[0]
    pages.append(admin.get(f"/admin/events/{seq}").text)
    for page in pages:
        assert SCRIPT not in page
        assert "&lt;script&gt;" in page or "\\u003cscript\\u003e" in page  # shown, inert
    assert "DROP TABLE" in pages[1]  # stored as text, nothing executed
    assert web_engine.tasks_for("caseworker", case_ref=started.case_ref)  # the table is there


def test_filters_and_searches_treat_sql_as_text(signed_in, web_engine):
    web_engine.start("identification", actor="first_responder")
    client = signed_in("admin")
    inbox = client.get("/", query_string={"case": SQL, "tab": "roles"})
    assert inbox.status_code == 200 and "First-contact screening" not in inbox.text
    audit = client.get("/admin/audit", query_string={"actor": SQL})
    assert audit.status_code == 200 and "No events match." in audit.text
    instances = client.get("/admin/instances", query_string={"ref": SQL})
    assert instances.status_code == 200 and "No process instances match." in instances.text
    assert len(web_engine.instances(actor="admin")) == 1


def test_a_hostile_case_reference_is_a_plain_not_found(signed_in):
    response = signed_in("caseworker").get(f"/cases/{SCRIPT}")
    assert response.status_code == 404
    assert SCRIPT not in response.text


def test_csv_export_neutralises_formulas_from_names(app, web_engine, signed_in):
    web_engine.add_user("-cmd", roles=["caseworker"], password=PASSWORD)  # a legal username
    assert sign_in(app.test_client(), "-cmd").status_code == 302  # audited with that actor
    admin = signed_in("admin")
    export = admin.get("/admin/audit.csv", query_string={"actor": "-cmd"})
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert rows and {r["actor"] for r in rows} == {"'-cmd"}
    assert csrf_from(admin.get("/admin/audit").text)
