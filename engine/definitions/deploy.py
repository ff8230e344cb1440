"""The deploy command: validate a set of files, then write new versions where content changed."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.crypto.keyring import Keyring
from engine.definitions import repository
from engine.definitions.models import ProcessDefinition
from engine.definitions.sources import FormLookup, SourceFile
from engine.definitions.validation import Validation, validate
from engine.errors import DeploymentRefused


@dataclass(frozen=True)
class DeployResult:
    process_key: str
    kind: str
    version: int
    changed: bool
    file_name: str

    def as_dict(self) -> dict[str, object]:
        return {
            "process_key": self.process_key,
            "kind": self.kind,
            "version": self.version,
            "changed": self.changed,
            "file": self.file_name,
        }


def check(session: Session, files: list[SourceFile], forms: FormLookup) -> Validation:
    """Validation only (for ``--check`` and the modeller's Validate button)."""
    return validate(files, forms, repository.deployed_index(session))


def deploy(
    session: Session,
    keyring: Keyring,
    files: list[SourceFile],
    forms: FormLookup,
    *,
    actor: str,
    now: datetime,
    change_note: str = "",
) -> list[DeployResult]:
    """All or nothing: one problem anywhere refuses the whole deployment."""
    validation = check(session, files, forms)
    if validation.problems:
        raise DeploymentRefused(validation.problems)
    results = []
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
        version = (current.version if current else 0) + 1
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
            deployed_by=actor,
            deployed_at=now,
            change_note=change_note,
        )
        session.add(definition)
        session.flush()
        chain.append(
            session,
            keyring,
            occurred_at=now,
            actor=actor,
            action=AuditAction.DEFINITION_DEPLOYED,
            context=chain.AuditContext(process_key=candidate.key, definition_version=version),
            detail={
                "kind": candidate.kind,
                "file": candidate.file_name,
                "content_hash": candidate.content_hash,
                "change_note": change_note,
                "forms": sorted(candidate.forms),
            },
        )
        results.append(
            DeployResult(candidate.key, candidate.kind, version, True, candidate.file_name)
        )
    return results
