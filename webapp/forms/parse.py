"""Posted form fields back into typed answers, reading only what the schema declares.

A value that cannot be read as its type (letters in a number) is kept as
typed, so validation reports it beside the field and the page shows it again.
"""

from __future__ import annotations

import re
from typing import Any

from werkzeug.datastructures import MultiDict

from webapp.forms.fields import Field

_INDEX = re.compile(r"^(\d+)\.")


def _number(text: str, whole: bool) -> Any:
    try:
        number = int(text) if whole else float(text)
    except ValueError:
        return text  # kept as typed: validation says what is wrong
    if isinstance(number, float) and number.is_integer():
        return int(number)
    return number


def _scalar(item: Field, raw: str) -> Any:
    text = raw.strip()
    if text == "":
        return None
    if item.kind in ("boolean", "confirm"):
        return {"true": True, "false": False}.get(text, text)
    if item.kind in ("integer", "number"):
        return _number(text, whole=item.kind == "integer")
    return raw if item.kind == "textarea" else text


def _rows(form: MultiDict, path: str) -> list[int]:
    prefix = f"{path}."
    indices = set()
    for key in form:
        if key.startswith(prefix):
            match = _INDEX.match(key[len(prefix) :])
            if match:
                indices.add(int(match.group(1)))
    return sorted(indices)


def parse(fields: list[Field], form: MultiDict, prefix: str = "") -> dict[str, Any]:
    answers: dict[str, Any] = {}
    for item in fields:
        path = f"{prefix}{item.name}"
        if item.kind == "section":
            nested = parse(item.children, form, f"{path}.")
            if nested:
                answers[item.name] = nested
        elif item.kind == "repeat":
            rows = [parse(item.children, form, f"{path}.{i}.") for i in _rows(form, path)]
            rows = [row for row in rows if row]
            if rows:
                answers[item.name] = rows
        elif item.kind in ("multi", "list"):
            chosen = [v for v in form.getlist(path) if v.strip()]
            if chosen:
                answers[item.name] = chosen
        else:
            value = _scalar(item, form.get(path, ""))
            if value is not None:
                answers[item.name] = value
    return answers


def repeat_rows(values: dict[str, Any] | None, path: str, extra: int = 0) -> int:
    """How many rows to draw for a repeatable group: what is filled in, at least one."""
    from webapp.forms.fields import value_at  # noqa: PLC0415 - tiny helper shared with fields

    current = value_at(values, path)
    return max(len(current) if isinstance(current, list) else 0, 1) + extra
