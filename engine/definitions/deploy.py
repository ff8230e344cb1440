"""The deploy command: validate a set of files, then write new versions where content changed."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy.orm import Session

from engine.accountability import contract
from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.definitions import lineage, repository
from engine.definitions.lineage import EditPolicy, Origin
from engine.definitions.models import ProcessDefinition
from engine.definitions.sources import FormLookup, SourceFile
from engine.definitions.validation import Candidate, Validation, validate
from engine.errors import DeploymentRefused, Problem
from engine.services import Services
from engine.users.actors import Actor, require_coordinator, require_unless_operator


@dataclass(frozen=True)
class DeployResult:
    process_key: str
    kind: str
    version: int
    changed: bool
    file_name: str
    # The live version is an edit made in the modeller and stays live; ``shipped_pending``:
    # the file is a new shipped version waiting for the edit to be carried over.
    kept_edit: bool = False
    shipped_pending: bool = False

    def as_dict(self) -> dict[str, object]:
        return {
            "process_key": self.process_key,
            "kind": self.kind,
            "version": self.version,
            "changed": self.changed,
            "file": self.file_name,
            "kept_edit": self.kept_edit,
            "shipped_pending": self.shipped_pending,
        }


def check(session: Session, files: list[SourceFile], forms: FormLookup) -> Validation:
    """Validation only (for ``--check`` and the modeller's Validate button), with what the
    accountability outputs read from the live versions (``engine/accountability/contract.py``).
    """
    validation = validate(files, forms, repository.deployed_index(session))
    if not validation.problems:
        validation.problems.extend(contract.problems(session, validation.candidates))
    return validation


def deploy(
    session: Session,
    services: Services,
    files: list[SourceFile],
    forms: FormLookup,
    *,
    actor: Actor,
    change_note: str = "",
    origin: Origin = Origin.FILE,
    edits: EditPolicy = EditPolicy.REFUSE,
) -> list[DeployResult]:
    """All or nothing: one problem anywhere refuses the whole deployment.

    ``origin`` is where the files come from; a file deploy meeting a live modeller edit
    follows ``edits`` (see :mod:`engine.definitions.lineage`).
    """
    require_unless_operator(actor, require_coordinator, "deploy pathways")
    validation = check(session, files, forms)
    if validation.problems:
        raise DeploymentRefused(validation.problems)
    if edits == EditPolicy.REPLACE and not change_note.strip():
        raise DeploymentRefused(
            [Problem("-", None, "replacing an edit made in the modeller needs a change note")]
        )
    results, problems = [], []
    # Decisions first, so processes deployed alongside them can pin them.
    for candidate in sorted(validation.candidates, key=lambda c: (c.kind != "dmn", c.key)):
        current = repository.latest(session, candidate.key, candidate.kind)
        if current is not None and current.content_hash == candidate.content_hash:
            results.append(
                DeployResult(
                    candidate.key, candidate.kind, current.version, False, candidate.file_name
                )
            )
            continue
        verdict = (
            lineage.judge(
                session,
                current,
                content_hash=candidate.content_hash,
                file_name=candidate.file_name,
                origin=origin,
                policy=edits,
            )
            if current is not None
            else lineage.Verdict(deploy=True)
        )
        if verdict.problem:
            problems.append(verdict.problem)
            continue
        if not verdict.deploy:
            results.append(
                DeployResult(
                    candidate.key,
                    candidate.kind,
                    current.version,
                    False,
                    candidate.file_name,
                    kept_edit=verdict.kept_edit,
                    shipped_pending=verdict.shipped_pending,
                )
            )
            continue
        results.append(
            _new_version(
                session,
                services,
                candidate,
                current,
                actor=actor,
                note=change_note,
                origin=origin,
            )
        )
    if problems:
        raise DeploymentRefused(problems)
    return results


def _new_version(
    session: Session,
    services: Services,
    candidate: Candidate,
    current: ProcessDefinition | None,
    *,
    actor: Actor,
    note: str,
    origin: Origin,
) -> DeployResult:
    version = (current.version if current else 0) + 1
    replaced_edit = (
        current is not None and origin == Origin.FILE and current.origin == Origin.MODELLER
    )
    definition = ProcessDefinition(
        process_key=candidate.key,
        version=version,
        kind=candidate.kind,
        name=candidate.name,
        file_name=candidate.file_name,
        content_hash=candidate.content_hash,
        source=candidate.source,
        # Field order is the form's question order: never sort it.
        forms_json=json.dumps(candidate.forms),
        called_keys_json=candidate.references_json(),
        deployed_by=actor.username,
        deployed_at=services.clock.now(),
        change_note=note,
        origin=origin,
        edited_from=current.version if current is not None and origin == Origin.MODELLER else None,
    )
    session.add(definition)
    session.flush()
    detail = {
        "kind": candidate.kind,
        "file": candidate.file_name,
        "content_hash": candidate.content_hash,
        "change_note": note,
        "forms": sorted(candidate.forms),
        "origin": str(origin),
    }
    if replaced_edit:
        detail["replaced_edit"] = current.version
    trail.record(
        session,
        services,
        actor,
        AuditAction.DEFINITION_DEPLOYED,
        context=trail.AuditContext(process_key=candidate.key, definition_version=version),
        detail=detail,
        at=definition.deployed_at,
    )
    return DeployResult(candidate.key, candidate.kind, version, True, candidate.file_name)
