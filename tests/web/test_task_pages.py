"""Task pages: every kind of question, errors beside their fields, nothing lost, drafts, conflicts."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from werkzeug.datastructures import MultiDict

from tests.support import bpmn as b
from tests.support.web import csrf_from
from webapp.forms.fields import fields_of
from webapp.forms.parse import parse

RICH_FORM = {
    "type": "object",
    "properties": {
        "full_name": {
            "type": "string",
            "title": "Name",
            "minLength": 1,
            "description": "As the person gives it.",
        },
        "story": {"type": "string", "title": "What happened", "x-widget": "textarea"},
        "born": {"type": "string", "format": "date", "title": "Date of birth"},
        "children": {"type": "integer", "title": "Number of children", "minimum": 0},
        "debt": {"type": "number", "title": "Debt claimed"},
        "safe": {"type": "boolean", "title": "Safe tonight?"},
        "sector": {
            "type": "string",
            "title": "Sector",
            "oneOf": [
                {"const": "fishing", "title": "Fishing"},
                {"const": "farming", "title": "Farming"},
            ],
        },
        "country": {
            "type": "string",
            "title": "Country",
            "enum": ["A", "B", "C", "D", "E", "F", "G", "H"],
        },
        "signs": {
            "type": "array",
            "title": "Signs",
            "uniqueItems": True,
            "items": {
                "oneOf": [
                    {"const": "debt", "title": "Debt"},
                    {"const": "threats", "title": "Threats"},
                ]
            },
        },
        "address": {
            "type": "object",
            "title": "Address",
            "properties": {
                "town": {"type": "string", "title": "Town"},
                "district": {"type": "string", "title": "District"},
            },
            "required": ["town"],
        },
        "household": {
            "type": "array",
            "title": "Household",
            "items": {
                "type": "object",
                "properties": {
                    "relation": {"type": "string", "title": "Relation"},
                    "age": {"type": "integer", "title": "Age", "minimum": 0},
                },
                "required": ["relation"],
            },
        },
        "danger_details": {"type": "string", "title": "What is the danger?"},
    },
    "required": ["full_name", "safe", "sector"],
    "allOf": [
        {
            "if": {"properties": {"safe": {"const": False}}, "required": ["safe"]},
            "then": {"required": ["danger_details"]},
        }
    ],
}


@pytest.fixture
def rich_task(web_engine, tmp_path):
    text = b.definitions(
        b.process(
            "rich",
            b.start(),
            b.user_task("ask", "Ask everything", "rich.json"),
            b.end(),
            *b.chain("start", "ask", "end"),
            lanes={"Caseworker": ["start", "ask", "end"]},
        )
    )
    web_engine.deploy(
        [b.write(tmp_path / "rich", "rich.bpmn", text, {"rich.json": RICH_FORM})], actor="system"
    )
    started = web_engine.start("rich", actor="caseworker")
    return web_engine.tasks_for("caseworker", case_ref=started.case_ref)[0].id


def test_every_kind_of_question_is_drawn_with_a_label(signed_in, rich_task):
    html = signed_in("caseworker").get(f"/tasks/{rich_task}").text
    for fragment in (
        'id="f-full_name"',
        '<textarea id="f-story"',
        'type="date"',
        'id="f-children"',
        'step="1"',
        'step="any"',
        'name="safe" value="true"',
        'name="sector" value="fishing"',
        '<select id="f-country"',
        'type="checkbox" id="f-signs-2" name="signs" value="threats"',
        "<legend>Address",
        'name="address.town"',
        'name="household.0.relation"',
        'value="add:household"',
        'data-show-when="safe" data-show-value="false"',
        "(when “Safe tonight?” is no)",
        "As the person gives it.",
    ):
        assert fragment in html, fragment
    inputs = re.findall(r'<input id="([^"]+)"', html) + re.findall(
        r'<(?:select|textarea) id="([^"]+)"', html
    )
    for input_id in inputs:
        assert f'for="{input_id}"' in html, f"{input_id} has no label"


def test_every_link_of_the_error_summary_lands_on_its_question(signed_in, rich_task):
    client = signed_in("caseworker")
    page = _post(client, rich_task, [("_action", "complete")]).text
    targets = re.findall(r'<a href="#(f-[^"]+)"', page)
    assert {"f-full_name", "f-safe"} <= set(targets), targets  # a text and a yes/no question
    ids = set(re.findall(r'\bid="([^"]+)"', page))
    assert [t for t in targets if t not in ids] == []


def _post(client, task_id, fields):
    token = csrf_from(client.get(f"/tasks/{task_id}").text)
    return client.post(f"/tasks/{task_id}", data=MultiDict([("csrf_token", token), *fields]))


def _state(web_engine):
    with web_engine.db.sa_engine.connect() as c:
        return (
            c.execute(
                sa.text("SELECT max(seq) FROM audit_event WHERE action != 'case:viewed'")
            ).scalar(),
            c.execute(sa.text("SELECT ciphertext FROM instance_state")).all(),
        )


def test_errors_appear_beside_fields_with_values_kept_and_nothing_changed(
    web_engine, signed_in, rich_task
):
    client = signed_in("caseworker")
    before = _state(web_engine)
    response = _post(
        client,
        rich_task,
        [
            ("_action", "complete"),
            ("full_name", ""),
            ("children", "three"),
            ("safe", "false"),
            ("sector", "fishing"),
            ("story", "Kept  as typed\nwith lines"),
            ("household.0.age", "4"),
        ],
    )
    assert response.status_code == 422
    html = response.text
    assert 'id="error-full_name" role="alert">This answer is required.' in html
    assert 'id="error-children" role="alert">Enter a whole number.' in html
    assert 'id="error-danger_details" role="alert">This answer is required.' in html
    assert 'id="error-household.0.relation" role="alert">This answer is required.' in html
    assert 'value="three"' in html  # the typed value comes back
    assert "Kept  as typed\nwith lines</textarea>" in html
    assert 'name="safe" value="false" checked' in html
    assert _state(web_engine) == before


def test_a_good_submission_completes_and_goes_back_to_the_inbox(web_engine, signed_in, rich_task):
    client = signed_in("caseworker")
    response = _post(
        client,
        rich_task,
        [
            ("_action", "complete"),
            ("full_name", "Lan"),
            ("safe", "true"),
            ("sector", "farming"),
            ("signs", "debt"),
            ("signs", "threats"),
            ("address.town", "Mae Sot"),
            ("household.0.relation", "son"),
            ("household.0.age", "4"),
            ("debt", "1500.50"),
        ],
    )
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert web_engine.tasks_for("caseworker") == []


def test_drafts_keep_partial_answers_for_their_author_only(web_engine, signed_in, rich_task):
    web_engine.add_user(
        "caseworker2", roles=["caseworker"], password="correct horse battery staple"
    )
    client = signed_in("caseworker")
    saved = _post(
        client, rich_task, [("_action", "save_draft"), ("full_name", "Mai"), ("children", "2")]
    )
    assert saved.status_code == 200 and "Draft saved" in saved.text
    assert 'value="Mai"' in client.get(f"/tasks/{rich_task}").text
    assert 'value="Mai"' not in signed_in("caseworker2").get(f"/tasks/{rich_task}").text
    # Keeping typed answers is audited (who, when, which task); the answers stay sealed.
    with web_engine.db.sa_engine.connect() as c:
        kept = c.execute(
            sa.text(
                "SELECT actor, task_id, detail_json FROM audit_event"
                " WHERE action = 'instance:task:draft:saved'"
            )
        ).all()
    assert [(actor, task) for actor, task, _ in kept] == [("caseworker", rich_task)]
    assert "Mai" not in kept[0][2]


def test_repeatable_groups_add_and_remove_rows_without_javascript(signed_in, rich_task):
    client = signed_in("caseworker")
    added = _post(
        client, rich_task, [("_action", "add:household"), ("household.0.relation", "son")]
    )
    assert 'name="household.1.relation"' in added.text and 'value="son"' in added.text
    removed = _post(
        client,
        rich_task,
        [
            ("_action", "remove:household:0"),
            ("household.0.relation", "son"),
            ("household.1.relation", "aunt"),
        ],
    )
    assert 'value="aunt"' in removed.text and 'value="son"' not in removed.text


def test_someone_else_finishing_first_is_a_plain_conflict(web_engine, signed_in, rich_task):
    client = signed_in("caseworker")
    token = csrf_from(client.get(f"/tasks/{rich_task}").text)
    web_engine.complete_task(
        rich_task, actor="admin", answers={"full_name": "X", "safe": True, "sector": "fishing"}
    )
    response = client.post(
        f"/tasks/{rich_task}",
        data={
            "csrf_token": token,
            "_action": "complete",
            "full_name": "Y",
            "safe": "true",
            "sector": "fishing",
        },
    )
    assert response.status_code == 409
    assert "already completed by admin" in response.text and 'href="/"' in response.text


def test_the_parser_reads_only_declared_fields_with_their_types():
    fields = fields_of(RICH_FORM)
    answers = parse(
        fields,
        MultiDict(
            [
                ("full_name", " Lan "),
                ("children", "3"),
                ("debt", "2.5"),
                ("safe", "false"),
                ("signs", "debt"),
                ("address.town", "X"),
                ("household.2.relation", "son"),
                ("household.0.relation", "aunt"),
                ("_getattr_", "sneaky"),
                ("case", "also sneaky"),
                ("story", ""),
            ]
        ),
    )
    assert answers == {
        "full_name": "Lan",
        "children": 3,
        "debt": 2.5,
        "safe": False,
        "signs": ["debt"],
        "address": {"town": "X"},
        "household": [{"relation": "aunt"}, {"relation": "son"}],
    }


def test_not_presumed_shows_the_rules_reasoning_on_the_task_and_the_case(signed_in, web_engine):
    from tests.support.web import ADULT_SCREENING

    started = web_engine.start("identification", actor="first_responder")
    screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    without_means = {
        k: v for k, v in ADULT_SCREENING.items() if k != "indicators_coercion_at_destination"
    }
    web_engine.complete_task(screening.id, actor="first_responder", answers=without_means)
    [record] = web_engine.tasks_for("first_responder", case_ref=started.case_ref)
    assert record.bpmn_id == "record_not_presumed"
    client = signed_in("first_responder")
    why = "not presumed: missing coercion or abuse of vulnerability at destination"
    assert why in client.get(f"/tasks/{record.id}").text
    assert why in client.get(f"/cases/{started.case_ref}").text


def test_a_statement_to_confirm_is_one_checkbox_with_its_error_beside_it(web_engine, signed_in):
    from tests.support.web import consented_case

    started = consented_case(web_engine, interpreter_present=False)
    [interview] = [
        t
        for t in web_engine.tasks_for("identification_officer", case_ref=started.case_ref)
        if t.bpmn_id == "initial_interview"
    ]
    client = signed_in("identification_officer")
    page = client.get(f"/tasks/{interview.id}").text
    box = 'type="checkbox" id="f-origin_mission_not_contacted" name="origin_mission_not_contacted"'
    assert box in page
    assert 'name="origin_mission_not_contacted" value="false"' not in page  # no "No" to choose
    refused = _post(
        client,
        interview.id,
        [
            ("_action", "complete"),
            ("language", "Thai"),
            ("interpreter_present", "false"),
            ("purpose_explained", "true"),
            ("preferences_respected", "true"),
            ("interview_asylum_indicators", "false"),
        ],
    )
    assert refused.status_code == 422
    assert re.search(
        r'id="error-origin_mission_not_contacted"[^>]*>This answer is required\.', refused.text
    )
    assert "Not allowed yet" not in refused.text  # beside the field, not a rule at the top
