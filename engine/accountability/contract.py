"""What the accountability outputs read from the pathways, checked at every deployment.

The protection commitments record and the console (``engine/data/commitments.toml``),
the statistics export (``engine/data/htcds.toml``) and referral summaries
(``engine/data/referrals.toml``) read steps and answers of the live pathways by BPMN id
and field name. A coordinator can rename either in the modeller; without this check the
record, the export or a referral would silently stop seeing them. A deployment that would
remove a step or a field the live version has, and one of these reads, is refused with what
reads it named: keep the id (or field), or change the mapping file with the pathway.

Only what the live version has is held to: a pathway that never had a step is not asked for
it (a new pathway, or one of the small diagrams tests deploy under a shipped key).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from typing import Any

from lxml import etree
from sqlalchemy.orm import Session

from engine.accountability import evidence_map, htcds, referral
from engine.definitions import repository
from engine.definitions.validation import Candidate
from engine.errors import Problem
from engine.forms.schemas import declared_fields
from engine.spiff.inspection import FORM_PROPERTY
from engine.spiff.parsing import UnsafeXml, parse_xml

NS = {
    "bpmn": "http://www.omg.org/spec/BPMN/20100524/MODEL",
    "spiffworkflow": "http://spiffworkflow.org/bpmn/schema/1.0/core",
}


@dataclass(frozen=True)
class Read:
    """One element (and optionally one answer of its form) that something reads."""

    element: str
    field: str | None
    reader: str  # in words: "the commitment “...” (engine/data/commitments.toml)"


@cache
def reads() -> tuple[Read, ...]:
    """Everything the mapping files read, from the files as shipped."""
    from engine.accountability.commitments import COMMITMENTS  # noqa: PLC0415 - it reads the map

    titles = {c.key: c.title for c in COMMITMENTS}
    found: list[Read] = []
    the_map = evidence_map.shipped()
    for slot, ids in the_map.steps.items():
        commitments, pages = the_map.readers(slot)
        readers = [f"the commitment “{titles.get(k, k)}”" for k in commitments] + list(pages)
        if not readers:
            continue
        reader = " and ".join(readers) + " (engine/data/commitments.toml)"
        for element in ids:
            found.append(Read(element, None, reader))
            found.extend(Read(element, f, reader) for f in the_map.answers.get(slot, ()))
    mapping = htcds.load_mapping()
    for source in mapping.sources():
        element, field = source.split(".", 1)
        found.append(Read(element, field, "the statistics export (engine/data/htcds.toml)"))
    for spec in mapping.flags.values():
        if "done" in htcds.as_list(spec["source"]):
            for ids in spec["values"].values():
                found.extend(
                    Read(i, None, "the statistics export (engine/data/htcds.toml)") for i in ids
                )
    for recipient in referral.load_recipients().values():
        for _, source in recipient.fields:
            if "." in source and ":" not in source:
                element, field = source.split(".", 1)
                reader = f"referral summaries for {recipient.title} (engine/data/referrals.toml)"
                found.append(Read(element, field, reader))
    return tuple(found)


def problems(session: Session, candidates: Iterable[Candidate]) -> list[Problem]:
    """What each candidate would take away from the readers, measured against its live
    version."""
    found: list[Problem] = []
    for candidate in candidates:
        if candidate.kind != "bpmn":
            continue
        live = repository.latest(session, candidate.key, "bpmn")
        if live is None or live.content_hash == candidate.content_hash:
            continue
        before = _elements(live.source, live.process_key, json.loads(live.forms_json or "{}"))
        after = _elements(candidate.source, candidate.key, candidate.forms)
        found.extend(_lost(candidate, before, after))
    return found


def _lost(
    candidate: Candidate, before: dict[str, set[str]], after: dict[str, set[str]]
) -> list[Problem]:
    lost: dict[tuple[str, str | None], list[str]] = {}
    for read in reads():
        if read.element not in before:
            continue
        if read.element not in after:  # the step is gone: one problem says it all
            lost.setdefault((read.element, None), []).append(read.reader)
        elif (
            read.field is not None
            and read.field in before[read.element]
            and read.field not in after[read.element]
        ):
            lost.setdefault((read.element, read.field), []).append(read.reader)
    return [
        Problem(
            candidate.file_name,
            element,
            (
                f"step {element!r} is read by {'; '.join(dict.fromkeys(readers))}: removing or"
                " renaming it would silently stop that reading it. Keep its id, or change the"
                " mapping file with the pathway."
                if field is None
                else f"the answer {field!r} of step {element!r} is read by"
                f" {'; '.join(dict.fromkeys(readers))}: keep the field in its form, or change"
                " the mapping file with the pathway."
            ),
        )
        for (element, field), readers in lost.items()
    ]


def _elements(source: str, process_key: str, forms: dict[str, Any]) -> dict[str, set[str]]:
    """The process's element ids, each with the fields of its form (empty without one)."""
    try:
        root = parse_xml(source, "pathway")
    except (UnsafeXml, etree.XMLSyntaxError):
        return {}
    process = next(
        (p for p in root.iterfind("bpmn:process", NS) if p.get("id") == process_key), None
    )
    if process is None:
        return {}
    found: dict[str, set[str]] = {}
    for node in process.iter():
        element = node.get("id") if isinstance(node.tag, str) else None
        if element is None:
            continue
        form = next(
            (
                p.get("value")
                for p in node.iterfind(
                    "bpmn:extensionElements/spiffworkflow:properties/spiffworkflow:property", NS
                )
                if p.get("name") == FORM_PROPERTY
            ),
            None,
        )
        schema = forms.get(form) if form else None
        found[element] = declared_fields(schema) if isinstance(schema, dict) else set()
    return found
