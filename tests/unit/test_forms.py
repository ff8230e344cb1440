"""Form schemas are checked at deployment; answers get one plain message per field."""

from __future__ import annotations

from datetime import UTC, datetime

from engine.errors import FieldError
from engine.forms.schemas import (
    answer_errors,
    declared_fields,
    schema_problems,
    without_blank_text,
)

FORM = {
    "type": "object",
    "properties": {
        "name": {"type": "string", "minLength": 1},
        "born": {"type": "string", "format": "date"},
        "age_uncertain": {"type": "boolean"},
        "exploitation": {
            "type": "array",
            "items": {"enum": ["labour", "sexual"]},
            "uniqueItems": True,
        },
        "household": {
            "type": "array",
            "items": {"type": "object", "properties": {"age": {"type": "integer", "minimum": 0}}},
        },
    },
    "required": ["name", "age_uncertain"],
    "if": {"properties": {"age_uncertain": {"const": True}}, "required": ["age_uncertain"]},
    "then": {"properties": {"apparent_age": {"type": "integer"}}, "required": ["apparent_age"]},
}


def test_valid_answers_pass():
    assert answer_errors(FORM, {"name": "A", "age_uncertain": False}) == []


def test_each_problem_is_reported_against_its_field():
    errors = answer_errors(
        FORM,
        {
            "born": "2026-02-30",
            "age_uncertain": True,
            "exploitation": ["labour", "organs"],
            "household": [{"age": -1}],
            "injected": "x",
        },
    )
    by_path = {e.path: e.message for e in errors}
    assert by_path == {
        "name": "This answer is required.",
        "born": "Enter a date as YYYY-MM-DD.",
        "exploitation.1": "Choose one of the listed options.",
        "household.0.age": "Enter 0 or more.",
        "apparent_age": "This answer is required.",
        "injected": "This form has no such question.",
    }


def test_conditional_fields_are_declared():
    assert declared_fields(FORM) == {
        "name",
        "born",
        "age_uncertain",
        "exploitation",
        "household",
        "apparent_age",
    }


def test_answers_must_be_an_object():
    assert [e.path for e in answer_errors(FORM, ["x"])] == [""]


def test_schema_problems():
    assert schema_problems(FORM) == []
    assert "a form schema must be a JSON object" in schema_problems([])
    assert any(
        "not valid JSON Schema" in p for p in schema_problems({"type": "object", "properties": 3})
    )
    assert any('"type": "object"' in p for p in schema_problems({"type": "string"}))
    assert any(
        "'_secret'" in p for p in schema_problems({"type": "object", "properties": {"_secret": {}}})
    )


REASONED = {
    "type": "object",
    "properties": {
        "overridden": {"type": "boolean"},
        "override_reason": {"type": "string"},
        "met_on": {"type": "string", "format": "date", "x-past": True},
        "next_visit": {"type": "string", "format": "date"},
        "notes": {"type": "string"},
    },
    "required": ["overridden"],
    "if": {"properties": {"overridden": {"const": True}}, "required": ["overridden"]},
    "then": {"required": ["override_reason"]},
}
NOW = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def test_blank_text_is_no_answer_required_or_not():
    for blank in ("", "   ", "\n\t "):
        answers = without_blank_text({"overridden": True, "override_reason": blank, "notes": " "})
        assert answers == {"overridden": True}
        assert answer_errors(REASONED, answers) == [
            FieldError("override_reason", "This answer is required.")
        ]
    kept = {"overridden": True, "override_reason": " Serious risk ", "rows": [{"a": " "}]}
    assert without_blank_text(kept) == {**kept, "rows": [{}]}


def test_a_past_date_may_be_today_anywhere_but_not_later():
    def errors(day: str, now: datetime = NOW):
        return answer_errors(REASONED, {"overridden": False, "met_on": day}, now=now)

    future = [FieldError("met_on", "This date is in the future: it must be today or earlier.")]
    assert errors("2026-03-02") == [] and errors("1999-12-31") == []
    assert errors("2026-03-03") == future  # 23:00 on the 2nd in Kiribati (UTC+14)
    assert errors("2026-03-03", NOW.replace(hour=11)) == []  # 01:00 on the 3rd there
    assert errors("2026-03-04", NOW.replace(hour=11)) == future
    future_ok = {"overridden": False, "next_visit": "2030-01-01"}
    assert answer_errors(REASONED, future_ok, now=NOW) == []


def test_forms_must_require_their_reasons_and_mark_only_dates_as_past():
    assert schema_problems(REASONED) == []
    optional = {**REASONED, "then": {}}
    assert schema_problems(optional) == [
        "field 'override_reason' is a reason: require it (in 'required', or under the "
        "condition that asks for it) so that a blank one is refused"
    ]
    misplaced = {
        "type": "object",
        "properties": {"count": {"type": "integer", "x-past": True}},
    }
    assert schema_problems(misplaced) == [
        "field 'count': \"x-past\": true belongs on a date field only"
    ]


def test_a_statement_to_confirm_refused_when_denied_says_so():
    form = {
        "type": "object",
        "properties": {"not_contacted": {"type": "boolean", "const": True}},
        "required": ["not_contacted"],
    }
    assert answer_errors(form, {"not_contacted": False}) == [
        FieldError("not_contacted", "Confirm this to continue.")
    ]
    assert answer_errors(form, {"not_contacted": True}) == []
