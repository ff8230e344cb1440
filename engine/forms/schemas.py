"""Check form schemas at deployment and answers at completion, in words a caseworker reads.

Answers are also restricted to the fields the form declares: a submission can
only ever write the task-data keys its form names, never arbitrary ones.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import SchemaError, ValidationError

from engine.errors import FieldError

_FORMAT_MESSAGES = {
    "date": "Enter a date as YYYY-MM-DD.",
    "date-time": "Enter a date and time as YYYY-MM-DDTHH:MM, with a time zone.",
    "email": "Enter an email address.",
    "time": "Enter a time as HH:MM:SS.",
}
_TYPE_MESSAGES = {
    "string": "Enter text.",
    "number": "Enter a number.",
    "integer": "Enter a whole number.",
    "boolean": "Choose yes or no.",
    "array": "Choose or add items to a list.",
    "object": "Answer this section.",
    "null": "Leave this empty.",
}
_COMBINATORS = ("allOf", "anyOf", "oneOf")
# Pathway code reads the case's facts as ``case`` and the task's data as ``data``.
RESERVED_FIELDS = frozenset({"case", "data"})
_BRANCHES = ("if", "then", "else")
# A field marked ``"x-past": true`` records something that happened (a date of contact, of a
# decision): it cannot lie after today. "Today" is the latest calendar day anywhere on Earth
# (UTC+14), so a caseworker east of UTC is never refused today's date.
PAST = "x-past"
_LATEST_OFFSET = timedelta(hours=14)
# A reason, justification or explanation is asked for because a decision needs one: the form
# must require it (always, or under the condition that asks for it), so blank is never enough.
_REASON_FIELD = re.compile(r"(^|_)(reasons?|justifications?|explanations?)$")


def schema_problems(schema: Any) -> list[str]:
    """Why this is not a usable form schema; empty when it is."""
    if not isinstance(schema, dict):
        return ["a form schema must be a JSON object"]
    try:
        Draft202012Validator.check_schema(schema)
    except SchemaError as err:
        where = "/".join(str(p) for p in err.path) or "(root)"
        return [f"not valid JSON Schema 2020-12 at {where}: {err.message}"]
    problems = []
    if schema.get("type") != "object":
        problems.append('a form schema needs "type": "object" at the top')
    for name in sorted(declared_fields(schema)):
        if name in RESERVED_FIELDS:
            problems.append(f"field name {name!r} is reserved for pathway code")
        elif name.startswith("_") or not name.isidentifier():
            problems.append(
                f"field name {name!r} must be a plain identifier not starting with '_' "
                "(it becomes a variable in gateway conditions)"
            )
    required = {n for sub in _subschemas(schema) for n in sub.get("required") or []}
    for name in sorted(declared_fields(schema)):
        if _REASON_FIELD.search(name) and name not in required:
            problems.append(
                f"field {name!r} is a reason: require it (in 'required', or under the "
                "condition that asks for it) so that a blank one is refused"
            )
    for name, field in sorted(_fields(schema), key=lambda pair: pair[0]):
        if PAST in field and (
            field[PAST] is not True or field.get("format") not in ("date", "date-time")
        ):
            problems.append(f'field {name!r}: "{PAST}": true belongs on a date field only')
    return problems


def _fields(schema: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    for sub in _subschemas(schema):
        for name, field in (sub.get("properties") or {}).items():
            if isinstance(field, dict):
                yield name, field


def _subschemas(schema: dict[str, Any]) -> Iterator[dict[str, Any]]:
    yield schema
    for key in _BRANCHES:
        if isinstance(schema.get(key), dict):
            yield from _subschemas(schema[key])
    for key in _COMBINATORS:
        for sub in schema.get(key, []) or []:
            if isinstance(sub, dict):
                yield from _subschemas(sub)
    for sub in (schema.get("dependentSchemas") or {}).values():
        if isinstance(sub, dict):
            yield from _subschemas(sub)


def declared_fields(schema: dict[str, Any]) -> set[str]:
    """Top-level field names, including those only asked under if/then or combinators."""
    names: set[str] = set()
    for sub in _subschemas(schema):
        names.update((sub.get("properties") or {}).keys())
    return names


def _dotted(path: Iterator[Any] | list[Any]) -> str:
    return ".".join(str(p) for p in path)


def _type_message(error: ValidationError) -> str:
    kinds = (
        error.validator_value
        if isinstance(error.validator_value, list)
        else [error.validator_value]
    )
    return _TYPE_MESSAGES.get(str(kinds[0]), error.message)


def _min_length_message(error: ValidationError) -> str:
    if error.validator_value == 1:
        return "This answer is required."
    return f"Enter at least {error.validator_value} characters."


_MESSAGES: dict[str, Callable[[ValidationError], str]] = {
    "format": lambda e: _FORMAT_MESSAGES.get(
        str(e.validator_value), f"Use the {e.validator_value} format."
    ),
    "type": _type_message,
    "enum": lambda _e: "Choose one of the listed options.",
    "const": lambda e: (
        "Confirm this to continue."
        if e.validator_value is True
        else "Choose one of the listed options."
    ),
    "minLength": _min_length_message,
    "maxLength": lambda e: f"Enter at most {e.validator_value} characters.",
    "minimum": lambda e: f"Enter {e.validator_value} or more.",
    "maximum": lambda e: f"Enter {e.validator_value} or less.",
    "minItems": lambda e: f"Choose at least {e.validator_value}.",
    "maxItems": lambda e: f"Choose at most {e.validator_value}.",
    "pattern": lambda _e: "This answer is not in the expected form.",
    "uniqueItems": lambda _e: "Each item may appear only once.",
}


def _message(error: ValidationError) -> str:
    describe = _MESSAGES.get(str(error.validator))
    return describe(error) if describe else error.message


def _field_errors(error: ValidationError) -> Iterator[FieldError]:
    if error.validator == "required":
        instance = error.instance if isinstance(error.instance, dict) else {}
        for name in error.validator_value:
            if name not in instance and repr(name) in error.message:
                yield FieldError(_dotted([*error.absolute_path, name]), "This answer is required.")
        return
    if error.validator in ("anyOf", "oneOf") and error.context:
        # Report the branch errors that concern actual fields, not the combinator itself.
        seen = False
        for sub in error.context:
            for field_error in _field_errors(sub):
                seen = True
                yield field_error
        if seen:
            return
    yield FieldError(_dotted(error.absolute_path), _message(error))


def without_blank_text(answers: Any) -> Any:
    """Blank text is no answer: text that is empty or only spaces is dropped before
    validation, so a required reason (or one required under a condition) written as "   " is
    refused like a missing one, and an optional one is simply not recorded."""
    if isinstance(answers, dict):
        return {
            key: without_blank_text(value)
            for key, value in answers.items()
            if not (isinstance(value, str) and not value.strip())
        }
    if isinstance(answers, list):
        return [without_blank_text(item) for item in answers]
    return answers


def _day(value: str) -> date | None:
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None  # the format check says so


def _future_dates(schema: dict[str, Any], answers: dict[str, Any], now: datetime):
    latest = (now + _LATEST_OFFSET).date()
    for name, field in _fields(schema):
        value = answers.get(name)
        if field.get(PAST) is True and isinstance(value, str):
            day = _day(value)
            if day is not None and day > latest:
                yield FieldError(name, "This date is in the future: it must be today or earlier.")


# Validators of the schemas in use, by the schema object itself. Building one was about a
# tenth of checking a valid submission (measured: 25-50 of 300-450 microseconds on the child
# pathway's forms); deployed forms are immutable and the definition cache hands out the same
# dictionary each time. Held with its schema, so an id is never reused while
# its entry lives.
_VALIDATORS: OrderedDict[int, tuple[dict[str, Any], Draft202012Validator]] = OrderedDict()
_VALIDATORS_KEPT = 256
_VALIDATORS_LOCK = threading.Lock()


def _validator(schema: dict[str, Any]) -> Draft202012Validator:
    with _VALIDATORS_LOCK:
        kept = _VALIDATORS.get(id(schema))
        if kept is not None and kept[0] is schema:
            _VALIDATORS.move_to_end(id(schema))
            return kept[1]
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    with _VALIDATORS_LOCK:
        _VALIDATORS[id(schema)] = (schema, validator)
        while len(_VALIDATORS) > _VALIDATORS_KEPT:
            _VALIDATORS.popitem(last=False)
    return validator


def answer_errors(
    schema: dict[str, Any], answers: Any, *, now: datetime | None = None
) -> list[FieldError]:
    """Everything wrong with a submission, one entry per field, in a stable order.

    ``now`` is the engine's clock, for dates that must lie in the past."""
    if not isinstance(answers, dict):
        return [FieldError("", "The answers must be a JSON object of field names to values.")]
    errors: list[FieldError] = []
    allowed = declared_fields(schema)
    errors.extend(
        FieldError(name, "This form has no such question.")
        for name in sorted(answers)
        if name not in allowed
    )
    for error in _validator(schema).iter_errors(answers):
        errors.extend(_field_errors(error))
    if now is not None:
        errors.extend(_future_dates(schema, answers, now))
    unique = list(dict.fromkeys(errors))
    return sorted(unique, key=lambda e: e.path)
