"""Deploying pathway files: the one write the definitions take."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from engine.definitions import deploy as deploying
from engine.definitions.lineage import EditPolicy, Origin
from engine.definitions.sources import FormLookup, SourceFile
from engine.modeller import catalogue
from engine.services import Services
from engine.users.actors import Actor


def deploy_files(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    files: list[SourceFile],
    forms: FormLookup | None,
    forms_dir: Path,
    change_note: str,
    origin: Origin,
    edits: EditPolicy,
) -> list[deploying.DeployResult]:
    """``forms`` defaults to ``forms_dir`` with the modeller's drafts; a modeller deployment
    also finds the forms the live versions were deployed with (a pathway may bring its own)."""
    lookup = forms or catalogue.form_lookup(
        session, forms_dir, with_deployed=origin == Origin.MODELLER
    )
    return deploying.deploy(
        session,
        services,
        files,
        lookup,
        actor=actor,
        change_note=change_note,
        origin=origin,
        edits=edits,
    )
