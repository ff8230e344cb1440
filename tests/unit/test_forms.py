"""Form schemas are checked at deployment; answers get one plain message per field."""

from __future__ import annotations

from engine.forms.schemas import answer_errors, declared_fields, schema_problems

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
