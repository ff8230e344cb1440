"""What the modeller edits: pathway files (deployed or drafted) and the form catalogue.

Forms resolve in this order at deployment: a schema edited in the browser
(``form_source``), then ``forms/``. Both the CLI and the modeller deploy with
the same lookup, so a browser edit is never silently undone by a later
``pathways deploy``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.definitions import repository
from engine.definitions.models import ProcessDefinition
from engine.definitions.sources import MAX_FORM_BYTES, FormLookup, SourceFile
from engine.errors import InvalidRequest, NotFound
from engine.forms.schemas import schema_problems
from engine.instances.models import InstanceStatus, ProcessInstance
from engine.json_input import JsonRefused, loads_bounded
from engine.modeller.models import FormSource, PathwayDraft

MAX_FORM_DEPTH = 32  # JSON levels; the shipped forms use 6

FORM_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_-.")


@dataclass(frozen=True)
class VersionLine:
    process_key: str
    name: str
    version: int
    deployed_by: str
    deployed_at: datetime
    change_note: str
    running: int
    origin: str = "file"  # "modeller": edited in the browser, from version ``edited_from``
    edited_from: int | None = None


@dataclass(frozen=True)
class PathwayFile:
    file_name: str
    processes: list[VersionLine]  # the latest version of each process in the file
    draft_saved_by: str | None
    draft_saved_at: datetime | None


def form_lookup(session: Session, forms_dir: Path, *, with_deployed: bool = False) -> FormLookup:
    """Forms edited in the browser, then ``forms/``; ``with_deployed`` (the modeller's checks,
    simulations and deployments) falls back on the forms the live versions were deployed with."""
    edited = {row.name: json.loads(row.schema_json) for row in session.scalars(select(FormSource))}
    deployed: dict[str, Any] = {}
    if with_deployed:
        for definition in repository.latest_all(session):
            deployed.update(json.loads(definition.forms_json or "{}"))
    return FormLookup(forms_dir, extra=edited, deployed=deployed)


def deployed_files(session: Session) -> dict[str, str]:
    """file name -> the source of its latest deployment (all processes of a file share it)."""
    files: dict[str, tuple[datetime, str]] = {}
    for definition in repository.latest_all(session):
        known = files.get(definition.file_name)
        if known is None or definition.deployed_at > known[0]:
            files[definition.file_name] = (definition.deployed_at, definition.source)
    return {name: source for name, (_, source) in files.items()}


def pathway_files(session: Session) -> list[PathwayFile]:
    running = dict(
        session.execute(
            select(ProcessInstance.definition_id, func.count())
            .where(ProcessInstance.status.in_([InstanceStatus.RUNNING, InstanceStatus.SUSPENDED]))
            .group_by(ProcessInstance.definition_id)
        ).all()
    )
    drafts = {d.file_name: d for d in session.scalars(select(PathwayDraft))}
    by_file: dict[str, list[VersionLine]] = {}
    for d in repository.latest_all(session):  # decision files too: they are edited beside
        by_file.setdefault(d.file_name, []).append(_line(d, running.get(d.id, 0)))
    for name in drafts.keys() - by_file.keys():  # uploaded or new, never deployed
        by_file[name] = []
    return [
        PathwayFile(
            name,
            sorted(lines, key=lambda v: v.process_key),
            drafts[name].saved_by if name in drafts else None,
            drafts[name].saved_at if name in drafts else None,
        )
        for name, lines in sorted(by_file.items())
    ]


def versions(session: Session, process_key: str) -> list[VersionLine]:
    """Every version of one process, newest first, with how many cases still run on each."""
    rows = session.execute(
        select(ProcessDefinition, func.count(ProcessInstance.id))
        .outerjoin(
            ProcessInstance,
            (ProcessInstance.definition_id == ProcessDefinition.id)
            & ProcessInstance.status.in_([InstanceStatus.RUNNING, InstanceStatus.SUSPENDED]),
        )
        .where(ProcessDefinition.process_key == process_key)
        .group_by(ProcessDefinition.id)
        .order_by(ProcessDefinition.version.desc())
    ).all()
    return [_line(d, n) for d, n in rows]


def _line(d: ProcessDefinition, running: int) -> VersionLine:
    return VersionLine(
        d.process_key,
        d.name,
        d.version,
        d.deployed_by,
        d.deployed_at,
        d.change_note,
        running,
        d.origin,
        d.edited_from,
    )


def version_source(session: Session, process_key: str, version: int) -> ProcessDefinition:
    found = session.scalars(
        select(ProcessDefinition).where(
            ProcessDefinition.process_key == process_key, ProcessDefinition.version == version
        )
    ).first()
    if found is None:
        raise NotFound(f"no version {version} of {process_key}")
    return found


def working_source(session: Session, file_name: str) -> tuple[str, bool]:
    """The draft when there is one, else the deployed file; and whether it is a draft."""
    draft = session.get(PathwayDraft, file_name)
    if draft is not None:
        return draft.source, True
    deployed = deployed_files(session).get(file_name)
    if deployed is None:
        raise NotFound(f"no pathway file {file_name}")
    return deployed, False


def file_exists(session: Session, file_name: str) -> bool:
    if session.get(PathwayDraft, file_name) is not None:
        return True
    return (
        session.scalar(
            select(ProcessDefinition.id).where(ProcessDefinition.file_name == file_name).limit(1)
        )
        is not None
    )


def draft_sources(session: Session) -> dict[str, str]:
    """file name -> the saved draft of every pathway file that has one."""
    return {d.file_name: d.source for d in session.scalars(select(PathwayDraft))}


def save_draft(session: Session, file_name: str, source: str, *, actor: str, now) -> None:
    draft = session.get(PathwayDraft, file_name)
    if draft is None:
        session.add(PathwayDraft(file_name=file_name, source=source, saved_by=actor, saved_at=now))
    else:
        draft.source, draft.saved_by, draft.saved_at = source, actor, now


def discard_draft(session: Session, file_name: str) -> None:
    draft = session.get(PathwayDraft, file_name)
    if draft is not None:
        session.delete(draft)


EDITABLE_SUFFIXES = (".bpmn", ".dmn")


def check_file_name(name: str) -> str:
    """Diagrams and the decision tables their business rule tasks evaluate."""
    clean = name.strip()
    if not clean.endswith(EDITABLE_SUFFIXES) or Path(clean).name != clean or clean.startswith("."):
        raise InvalidRequest("a pathway file name is a plain name ending in .bpmn or .dmn")
    return clean


def as_source_file(file_name: str, source: str) -> SourceFile:
    """The edited file alone: its call activities are checked against what is deployed."""
    return SourceFile(check_file_name(file_name), source.encode("utf-8"))


# -- forms ----------------------------------------------------------------------------------


def form_names(session: Session, forms_dir: Path) -> list[str]:
    on_disk = {p.name for p in forms_dir.glob("*.json")}
    edited = set(session.scalars(select(FormSource.name)))
    return sorted(on_disk | edited)


def check_form_name(name: str) -> str:
    clean = name.strip().lower()
    if not clean.endswith(".json") or not set(clean) <= FORM_NAME_CHARS or clean.startswith("."):
        raise InvalidRequest("a form name is lower-case letters, digits, '_', '-' ending in .json")
    return clean


def form_text(session: Session, forms_dir: Path, name: str) -> str:
    name = check_form_name(name)
    edited = session.get(FormSource, name)
    if edited is not None:
        return edited.schema_json
    path = forms_dir / name
    if not path.is_file():
        raise NotFound(f"no form {name}")
    return path.read_text(encoding="utf-8")


def form_problems(text: str) -> tuple[Any | None, list[str]]:
    """The parsed schema and what is wrong with it as a form (empty when it can be used)."""
    if len(text.encode("utf-8")) > MAX_FORM_BYTES:
        return None, [f"a form may be at most {MAX_FORM_BYTES // 1024} KB"]
    try:
        schema = loads_bounded(text, max_depth=MAX_FORM_DEPTH)
    except JsonRefused as err:  # not JSON, too deep, NaN, endless digits, NUL characters
        return None, [str(err)]
    return schema, schema_problems(schema)


def save_form(session: Session, name: str, text: str, *, actor: str, now) -> None:
    name = check_form_name(name)
    schema, problems = form_problems(text)
    if problems:
        raise InvalidRequest("; ".join(problems))
    stored = json.dumps(schema, indent=2, ensure_ascii=False)
    row = session.get(FormSource, name)
    if row is None:
        session.add(FormSource(name=name, schema_json=stored, saved_by=actor, saved_at=now))
    else:
        row.schema_json, row.saved_by, row.saved_at = stored, actor, now
