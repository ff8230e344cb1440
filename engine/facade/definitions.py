"""Deploying and listing pathway definitions."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy.exc import IntegrityError

from engine.definitions import commands as definition_commands
from engine.definitions import deploy as deploying
from engine.definitions import repository
from engine.definitions.lineage import EditPolicy, Origin
from engine.definitions.roles import configured_roles
from engine.definitions.sources import FormLookup, SourceFile, collect
from engine.errors import ConflictError
from engine.facade.core import EngineCore
from engine.modeller import catalogue
from engine.users.actors import require_coordinator, require_unless_operator


class DefinitionsFacade(EngineCore):
    def deploy(
        self,
        paths: list[Path] | None = None,
        *,
        actor: str,
        change_note: str = "",
        edits: EditPolicy = EditPolicy.REFUSE,
    ) -> list[deploying.DeployResult]:
        """Files from disk (default: the shipped ``workflows/``); ``edits`` says what to do
        where a new file meets a pathway edited in the modeller since."""
        files = collect(paths or [self.settings.workflows_dir])
        return self.deploy_files(files, actor=actor, change_note=change_note, edits=edits)

    def deploy_files(
        self,
        files: list[SourceFile],
        *,
        actor: str,
        change_note: str = "",
        form_lookup: FormLookup | None = None,
        origin: Origin = Origin.FILE,
        edits: EditPolicy = EditPolicy.REFUSE,
    ) -> list[deploying.DeployResult]:
        try:
            return self.run(
                definition_commands.deploy_files,
                actor=actor,
                files=files,
                forms=form_lookup,
                forms_dir=self.settings.forms_dir,
                change_note=change_note,
                origin=origin,
                edits=edits,
            )
        except IntegrityError as err:
            raise ConflictError(
                "another deployment of the same pathway ran at the same time"
            ) from err

    def roles(self, *, actor: str) -> list[str]:
        """Built-in roles and every lane role of the deployed pathways (any active user)."""
        with self.db.read() as session:
            self._as(session, actor)
            return configured_roles(session)

    def check_files(self, files: list[SourceFile], *, actor: str):
        with self.db.read() as session:
            require_unless_operator(self._as(session, actor), require_coordinator, "check pathways")
            return deploying.check(
                session, files, catalogue.form_lookup(session, self.settings.forms_dir)
            )

    def definitions(self, *, actor: str) -> list[dict[str, Any]]:
        """The deployed pathways' latest versions (any active user: no case data)."""
        with self.db.read() as session:
            self._as(session, actor)
            return [
                {
                    "process_key": d.process_key,
                    "kind": d.kind,
                    "version": d.version,
                    "name": d.name,
                    "file": d.file_name,
                    "deployed_by": d.deployed_by,
                    "deployed_at": d.deployed_at.isoformat(),
                    "content_hash": d.content_hash,
                }
                for d in repository.latest_all(session)
            ]
