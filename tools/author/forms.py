"""Small builders for task forms as JSON Schema 2020-12 with plain-language titles."""

from __future__ import annotations

from typing import Any

SCHEMA = "https://json-schema.org/draft/2020-12/schema"

Field = tuple[str, dict[str, Any]]


def text(
    name: str,
    title: str,
    *,
    help: str = "",
    long: bool = False,
    max_length: int = 2000,
    required_text: bool = False,
) -> Field:
    schema: dict[str, Any] = {"type": "string", "title": title, "maxLength": max_length}
    if required_text:
        schema["minLength"] = 1
    if long:
        schema["x-widget"] = "textarea"
    if help:
        schema["description"] = help
    return name, schema


def date(name: str, title: str, *, help: str = "") -> Field:
    schema = {"type": "string", "format": "date", "title": title}
    if help:
        schema["description"] = help
    return name, schema


def boolean(name: str, title: str, *, help: str = "") -> Field:
    schema: dict[str, Any] = {"type": "boolean", "title": title}
    if help:
        schema["description"] = help
    return name, schema


def integer(
    name: str, title: str, *, minimum: int | None = None, maximum: int | None = None, help: str = ""
) -> Field:
    schema: dict[str, Any] = {"type": "integer", "title": title}
    if minimum is not None:
        schema["minimum"] = minimum
    if maximum is not None:
        schema["maximum"] = maximum
    if help:
        schema["description"] = help
    return name, schema


def number(name: str, title: str, *, minimum: float | None = 0, help: str = "") -> Field:
    schema: dict[str, Any] = {"type": "number", "title": title}
    if minimum is not None:
        schema["minimum"] = minimum
    if help:
        schema["description"] = help
    return name, schema


def choice(name: str, title: str, options: list[tuple[str, str]], *, help: str = "") -> Field:
    schema: dict[str, Any] = {
        "type": "string",
        "title": title,
        "oneOf": [{"const": value, "title": label} for value, label in options],
    }
    if help:
        schema["description"] = help
    return name, schema


def multi(name: str, title: str, options: list[tuple[str, str]], *, help: str = "") -> Field:
    schema: dict[str, Any] = {
        "type": "array",
        "title": title,
        "uniqueItems": True,
        "items": {"oneOf": [{"const": value, "title": label} for value, label in options]},
    }
    if help:
        schema["description"] = help
    return name, schema


def repeat(
    name: str, title: str, fields: list[Field], required: list[str], *, help: str = ""
) -> Field:
    item = {"type": "object", "properties": dict(fields), "required": required}
    schema: dict[str, Any] = {"type": "array", "title": title, "items": item}
    if help:
        schema["description"] = help
    return name, schema


def when(condition: dict[str, Any], *, require: list[str]) -> dict[str, Any]:
    """``when({"consent": False}, require=["reason"])``: conditional questions."""
    return {
        "if": {
            "properties": {k: {"const": v} for k, v in condition.items()},
            "required": list(condition),
        },
        "then": {"required": require},
    }


def form(
    title: str,
    fields: list[Field],
    *,
    required: list[str],
    description: str = "",
    conditions: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    schema: dict[str, Any] = {"$schema": SCHEMA, "title": title, "type": "object"}
    if description:
        schema["description"] = description
    schema["properties"] = dict(fields)
    schema["required"] = required
    if conditions:
        schema["allOf"] = conditions
    schema["additionalProperties"] = False
    return schema


LANGUAGE_FIELDS: list[Field] = [
    text(
        "language",
        "Language used",
        help="The language the person understood, e.g. Thai.",
        max_length=100,
        required_text=True,
    ),
    boolean("interpreter_present", "Was an interpreter present?"),
]
