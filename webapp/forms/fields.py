"""Reading a form's JSON Schema into a tree of fields the templates can draw.

Supported: text, long text (``x-widget: textarea``), number, whole number, date,
yes/no, single choice (radio, or a select for long lists), multiple choice
(checkboxes), nested sections (objects), repeatable groups (arrays of
objects), and conditional questions (``if``/``then`` requiring more answers).

Titles, descriptions and option labels are translated here, at display time, so the English
JSON stays the single source: a text without a translation simply stays English.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext

from webapp.i18n import translated as _tr

SELECT_ABOVE = 7  # more options than this: a select instead of radio buttons


@dataclass
class Condition:
    """Show (and require) a field when another field has a given value."""

    field_path: str
    value: Any
    label: str

    @property
    def data_value(self) -> str:
        if isinstance(self.value, bool):
            return "true" if self.value else "false"
        return str(self.value)


@dataclass
class Field:
    path: str
    name: str
    kind: str
    title: str
    help: str = ""
    required: bool = False
    condition: Condition | None = None
    options: list[tuple[str, str]] = field(default_factory=list)
    children: list[Field] = field(default_factory=list)
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None

    def at(self, path: str) -> Field:
        """This field (and its children) re-rooted at another path (a repeat row)."""
        clone = Field(**{**self.__dict__, "path": path, "children": []})
        clone.children = [child.at(f"{path}.{child.name}") for child in self.children]
        return clone


def _options(schema: dict[str, Any]) -> list[tuple[str, str]]:
    if "oneOf" in schema:
        return [
            (str(o["const"]), _tr(o["title"]) if "title" in o else str(o["const"]))
            for o in schema["oneOf"]
        ]
    if "enum" in schema:
        return [(str(v), str(v)) for v in schema["enum"]]
    return []


_SCALAR_KINDS = {"boolean": "boolean", "integer": "integer", "number": "number"}


def _array_kind(schema: dict[str, Any]) -> str:
    items = schema.get("items", {})
    if items.get("type") == "object":
        return "repeat"
    return "multi" if _options(items) else "list"


def _kind(schema: dict[str, Any]) -> str:
    kind = schema.get("type")
    if kind in ("object", "array"):
        return "section" if kind == "object" else _array_kind(schema)
    if _options(schema):
        return "select" if len(_options(schema)) > SELECT_ABOVE else "choice"
    if kind == "boolean" and schema.get("const") is True:
        return "confirm"  # a statement to confirm: one checkbox, not a Yes/No where No fails
    if kind in _SCALAR_KINDS:
        return _SCALAR_KINDS[kind]
    if schema.get("format") == "date":
        return "date"
    return "textarea" if schema.get("x-widget") == "textarea" else "text"


def _conditions(
    schema: dict[str, Any], titles: dict[str, str], labels: dict[str, dict]
) -> dict[str, Condition]:
    """Fields required only when another answer has a value (our ``when(...)`` pattern)."""
    found: dict[str, Condition] = {}
    blocks = [schema] + [b for b in schema.get("allOf", []) if isinstance(b, dict)]
    for block in blocks:
        test, then = block.get("if"), block.get("then")
        if not isinstance(test, dict) or not isinstance(then, dict):
            continue
        tested = test.get("properties", {})
        if len(tested) != 1:
            continue
        ((name, spec),) = tested.items()
        if "const" not in spec:
            continue
        value = spec["const"]
        shown = labels.get(name, {}).get(
            str(value),
            gettext("yes") if value is True else gettext("no") if value is False else str(value),
        )
        label = gettext("when “%(field)s” is %(value)s", field=titles.get(name, name), value=shown)
        for required in then.get("required", []):
            found[required] = Condition(name, value, label)
    return found


def fields_of(schema: dict[str, Any], prefix: str = "") -> list[Field]:
    properties: dict[str, Any] = schema.get("properties", {})
    required = set(schema.get("required", []))
    titles = {k: _tr(v["title"]) if "title" in v else k for k, v in properties.items()}
    labels = {k: dict(_options(v)) for k, v in properties.items()}
    conditions = _conditions(schema, titles, labels)
    result = []
    for name, spec in properties.items():
        path = f"{prefix}{name}"
        kind = _kind(spec)
        item = Field(
            path=path,
            name=name,
            kind=kind,
            title=_tr(spec["title"]) if "title" in spec else name.replace("_", " ").capitalize(),
            help=_tr(spec.get("description", "")),
            required=name in required,
            condition=None if name in required else conditions.get(name),
            options=_options(spec.get("items", {}) if kind == "multi" else spec),
            minimum=spec.get("minimum"),
            maximum=spec.get("maximum"),
            max_length=spec.get("maxLength"),
        )
        if kind == "section":
            item.children = fields_of(spec, f"{path}.")
        elif kind == "repeat":
            item.children = fields_of(spec["items"], f"{path}.0.")
        result.append(item)
    return result


def value_at(values: dict[str, Any] | None, path: str) -> Any:
    current: Any = values or {}
    for part in path.split("."):
        if isinstance(current, dict):
            current = current.get(part)
        elif isinstance(current, list) and part.isdigit() and int(part) < len(current):
            current = current[int(part)]
        else:
            return None
    return current
