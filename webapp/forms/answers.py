"""Stored answers read back with the form's questions and option titles (oversight pages).

The answers stay as they were stored; only their display changes, and a field
the form does not know (an older version's) still shows, under its own name.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from webapp.forms.fields import Field, fields_of


def _shown(field: Field, value: Any) -> str:
    options = dict(field.options)
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list) and all(not isinstance(v, dict | list) for v in value):
        return ", ".join(options.get(str(v), str(v)) for v in value)
    if isinstance(value, dict | list):
        return ""
    return options.get(str(value), str(value))


def answer_rows(schema: dict[str, Any] | None, answers: dict[str, Any]) -> list[tuple[str, Any]]:
    """(question, value) pairs in the form's order; a value that is a structure stays one."""
    fields = {f.name: f for f in fields_of(schema)} if schema else {}
    rows: list[tuple[str, Any]] = []
    for name, field in fields.items():
        if name in answers:
            shown = _shown(field, answers[name])
            rows.append((field.title, shown if shown else answers[name]))
    rows.extend((name, value) for name, value in answers.items() if name not in fields)
    return rows
