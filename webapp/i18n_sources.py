"""Catalog entries from the pathways' own content: forms/*.json and workflows/*.bpmn.

The English in those files stays the single source of truth and is translated at display time,
so ``pybabel extract`` must see it; babel.cfg names the two extractors below. Each entry says
what it is (form title, option, user task...) so translators and tests can tell them apart.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from engine.spiff.parsing import NS, parse_xml
from engine.users.roles import BUILTIN_ROLES, normalise_role
from webapp.formatting import role_label

FORM_TITLE = "form title"
FORM_HELP = "form description"
FIELD_TITLE = "field title"
FIELD_HELP = "field description"
OPTION = "option"
PATHWAY = "pathway"
USER_TASK = "user task"
INSTRUCTIONS = "task instructions"
REFUSAL = "rule refusal"
FACT = "case fact"
COMMITMENT = "protection commitment"
ROLE = "role"


def _choices(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for option in schema.get("oneOf", []):
        if isinstance(option, dict) and option.get("title"):
            yield option["title"], OPTION


def _properties(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    for spec in (schema.get("properties") or {}).values():
        if not isinstance(spec, dict):
            continue
        if spec.get("title"):
            yield spec["title"], FIELD_TITLE
        if spec.get("description"):
            yield spec["description"], FIELD_HELP
        yield from _choices(spec)
        items = spec.get("items")
        if isinstance(items, dict):
            yield from _choices(items)
            yield from _properties(items)
        yield from _properties(spec)


def form_messages(schema: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """(text, kind) for every string webapp.forms.fields shows from this schema."""
    if schema.get("title"):
        yield schema["title"], FORM_TITLE
    if schema.get("description"):
        yield schema["description"], FORM_HELP
    yield from _properties(schema)


def bpmn_messages(
    source: bytes | str, file_name: str = "pathway.bpmn"
) -> Iterator[tuple[str, str]]:
    """(text, kind) for the BPMN text people read: pathways, user tasks, instructions, lanes."""
    root = parse_xml(source, file_name)
    for process in root.iterfind("bpmn:process", NS):
        if process.get("name"):
            yield process.get("name"), PATHWAY
        for lane in process.iter(f"{{{NS['bpmn']}}}lane"):
            if lane.get("name"):
                yield role_label(normalise_role(lane.get("name"))), ROLE
        for task in process.iter(f"{{{NS['bpmn']}}}userTask"):
            if task.get("name"):
                yield task.get("name"), USER_TASK
            for note in task.iter(f"{{{NS['spiffworkflow']}}}instructionsForEndUser"):
                if (note.text or "").strip():
                    yield note.text.strip(), INSTRUCTIONS
            # A rule's refusal is read by the person it stops, in their language.
            for prop in task.iter(f"{{{NS['spiffworkflow']}}}property"):
                name = prop.get("name") or ""
                if name.startswith("guard.") and name.endswith(".message") and prop.get("value"):
                    yield prop.get("value"), REFUSAL


def builtin_role_messages() -> Iterator[tuple[str, str]]:
    for role in sorted(BUILTIN_ROLES):
        yield role_label(role), ROLE


def commitment_messages() -> Iterator[tuple[str, str]]:
    """The protection commitments' titles, statuses and fixed explanations, read from their
    module's source (a literal first argument of ``met``/``not_yet``/``not_applicable``, a
    commitment's title), so a new one is in the catalog as soon as it is written."""
    import ast  # noqa: PLC0415 - loaded when an extractor runs

    from engine.accountability import commitments  # noqa: PLC0415 - loaded when an extractor runs

    for status in commitments.Judgement:
        yield status.capitalize(), COMMITMENT
    for word in commitments.MOMENTS:
        yield word, COMMITMENT
    # The first argument of met/not_yet/not_applicable, the second of Commitment (its title),
    # CommitmentStatus (its explanation) and Evidence.of (a note).
    positions = {
        "met": 0,
        "not_yet": 0,
        "not_applicable": 0,
        "Commitment": 1,
        "CommitmentStatus": 1,
        "of": 1,
    }
    tree = ast.parse(Path(commitments.__file__).read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        index = positions.get(name)
        if index is None or len(node.args) <= index:
            continue
        text = node.args[index]
        if isinstance(text, ast.Constant) and isinstance(text.value, str) and text.value:
            yield text.value, COMMITMENT


def builtin_fact_messages() -> Iterator[tuple[str, str]]:
    """The case facts a case or task page shows by name, and the presumption rule's words."""
    from engine.cases.overview import SUMMARY_FACTS  # noqa: PLC0415 - loaded when an extractor runs
    from engine.rules.ilo_ec import every_explanation  # noqa: PLC0415 - loaded when an extractor runs
    from engine.tasks.details import TASK_CONTEXT_FACTS  # noqa: PLC0415 - loaded when an extractor runs

    for label in sorted({*SUMMARY_FACTS.values(), *TASK_CONTEXT_FACTS.values()}):
        yield label, FACT
    for sentence in every_explanation():
        yield sentence, FACT


def _line_of(text: str, lines: list[str]) -> int:
    needle = json.dumps(text, ensure_ascii=False)[1:-1]
    return next((n for n, line in enumerate(lines, 1) if needle in line), 1)


def extract_forms(fileobj, keywords, comment_tags, options):
    """Babel extractor for forms/*.json (see babel.cfg)."""
    text = fileobj.read().decode("utf-8")
    lines = text.splitlines()
    for message, kind in form_messages(json.loads(text)):
        yield _line_of(message, lines), "gettext", message, [kind]


def extract_bpmn(fileobj, keywords, comment_tags, options):
    """Babel extractor for workflows/*.bpmn (see babel.cfg); the built-in roles ride along."""
    source = fileobj.read()
    name = getattr(fileobj, "name", "pathway.bpmn")
    builtin = [*builtin_role_messages(), *builtin_fact_messages(), *commitment_messages()]
    for message, kind in [*bpmn_messages(source, str(name)), *builtin]:
        yield 1, "gettext", message, [kind]
