"""The coordinator's modeller: look, check, draft, compare, simulate, and deploy pathways."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from engine.audit.actions import AuditAction
from engine.definitions import deploy as deploying
from engine.definitions import lineage, repository
from engine.definitions.lineage import EditPolicy, Origin
from engine.definitions.sources import SourceFile, collect
from engine.errors import DeploymentRefused, InvalidRequest, NotFound, Problem
from engine.facade.core import EngineCore
from engine.modeller import catalogue, scenario_catalogue
from engine.modeller import commands as modeller_commands
from engine.modeller.commands import MODELLER
from engine.modeller.compare import Comparison, compare
from engine.modeller.lint import LintWarning, lint
from engine.modeller.outcomes import SimulationResult
from engine.spiff.parsing import UnsafeXml, parse_xml
from engine.users.actors import require_coordinator


@dataclass(frozen=True)
class ShippedWaiting:
    """A new shipped file held back by an edit: the three versions a coordinator compares."""

    file_name: str
    shipped_before: int | None  # the last version deployed from a file
    edited_here: int  # the live version, edited in the modeller


@dataclass(frozen=True)
class Check:
    problems: list[Problem] = field(default_factory=list)
    warnings: list[LintWarning] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.problems,
            "problems": [{**p.as_dict(), "level": "error"} for p in self.problems],
            "warnings": [w.as_dict() for w in self.warnings],
        }


class SimulationFailed(InvalidRequest):
    """A scenario that proves one of the guide's rules fails on the draft: it stays a draft."""

    code = "simulation_failed"

    def __init__(self, results: list[SimulationResult]) -> None:
        failed = [r for r in results if not r.passed]
        super().__init__(
            f"{len(failed)} scenario(s) fail on this draft, so it was not deployed: "
            + "; ".join(f"{r.name}: {r.detail}" for r in failed)
        )
        self.results = results


class ModellerFacade(EngineCore):
    def pathway_files(self, *, actor: str) -> list[catalogue.PathwayFile]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return catalogue.pathway_files(session)

    def versions(self, process_key: str, *, actor: str) -> list[catalogue.VersionLine]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return catalogue.versions(session, process_key)

    def working_source(self, file_name: str, *, actor: str) -> tuple[str, bool]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return catalogue.working_source(session, file_name)

    def _audit_look(self, action: AuditAction, file_name: str, source: str, actor: str) -> None:
        self.run(
            modeller_commands.record_look,
            actor=actor,
            action=action,
            file_name=file_name,
            source=source,
        )

    def check_source(self, file_name: str, source: str, *, actor: str) -> Check:
        """The deploy checks plus lint, for the Validate button (nothing is stored)."""
        self._audit_look(AuditAction.DEFINITION_VALIDATED, file_name, source, actor)
        with self.read() as session:
            name = catalogue.check_file_name(file_name)
            validation = deploying.check(
                session,
                [catalogue.as_source_file(name, source)],
                catalogue.form_lookup(session, self.settings.forms_dir, with_deployed=True),
            )
        try:
            warnings = lint(parse_xml(source, name))
        except (UnsafeXml, etree.XMLSyntaxError):
            warnings = []  # the validation problems already say why
        return Check(validation.problems, warnings)

    def save_pathway_draft(self, file_name: str, source: str, *, actor: str) -> None:
        self.run(
            modeller_commands.save_pathway_draft, actor=actor, file_name=file_name, source=source
        )

    def shipped_waiting(self, process_key: str, *, actor: str) -> ShippedWaiting | None:
        """The pathway file on disk, when it is a new shipped version held back because the
        live version was edited here (``make run`` keeps the edit): the coordinator compares
        the three (shipped before, shipped now, edited here) and carries the edit over by
        starting a draft from the new file."""
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            live = repository.latest(session, process_key)
            shipped = self.settings.workflows_dir / live.file_name if live else None
            if live is None or live.origin != Origin.MODELLER or not shipped.is_file():
                return None
            validation = deploying.check(
                session,
                collect([shipped]),
                catalogue.form_lookup(session, self.settings.forms_dir),
            )
            for candidate in validation.candidates:
                if candidate.key == process_key and candidate.content_hash != live.content_hash:
                    verdict = lineage.judge(
                        session,
                        live,
                        content_hash=candidate.content_hash,
                        file_name=candidate.file_name,
                        origin=Origin.FILE,
                        policy=EditPolicy.KEEP,
                    )
                    if not verdict.shipped_pending:
                        return None
                    before = lineage.last_shipped(session, process_key, "bpmn")
                    return ShippedWaiting(
                        live.file_name, before.version if before else None, live.version
                    )
            return None

    def compare_with_shipped(
        self, process_key: str, old: int, *, actor: str
    ) -> tuple[Comparison, str, str]:
        """A deployed version against the new shipped file waiting behind an edit."""
        waiting = self.shipped_waiting(process_key, actor=actor)
        if waiting is None:
            raise NotFound(f"no shipped file of {process_key} is waiting")
        with self.read() as session:
            before = catalogue.version_source(session, process_key, old).source
        after = (self.settings.workflows_dir / waiting.file_name).read_text(encoding="utf-8")
        return compare(before, after), before, after

    def draft_from_shipped(self, file_name: str, *, actor: str) -> None:
        """The waiting shipped file becomes the draft, to edit and deploy as the next version."""
        name = catalogue.check_file_name(file_name)
        shipped = self.settings.workflows_dir / name
        if not shipped.is_file():
            raise NotFound(f"no shipped file {name}")
        self.save_pathway_draft(name, shipped.read_text(encoding="utf-8"), actor=actor)

    def new_pathway_file(self, file_name: str, *, actor: str, role: str = "caseworker") -> str:
        return self.run(
            modeller_commands.new_pathway_file, actor=actor, file_name=file_name, role=role
        )

    def discard_pathway_draft(self, file_name: str, *, actor: str) -> None:
        self.run(modeller_commands.discard_pathway_draft, actor=actor, file_name=file_name)

    def scenario_files(self, *, actor: str) -> list[str]:
        """The scenarios a deployment must pass, by name, drafts included (the modeller runs
        them one by one to show progress)."""
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return list(self._scenario_texts(session))

    def _scenario_texts(self, session, only: str | None = None) -> dict[str, str]:
        texts = scenario_catalogue.in_force(session, self._scenarios_dir, drafts=True)
        if only is None:
            return texts
        if only not in texts:
            raise InvalidRequest(f"no scenario {only!r}")
        return {only: texts[only]}

    @property
    def _scenarios_dir(self):
        return self.settings.workflows_dir / "scenarios"

    def simulate(
        self, file_name: str, source: str, *, actor: str, only: str | None = None
    ) -> list[SimulationResult]:
        """Every scenario (or the one named ``only``), with the scenario drafts in place,
        against what would be live if this draft were deployed."""
        results, _ = self._simulate(file_name, source, actor=actor, only=only)
        return results

    def _simulate(
        self,
        file_name: str,
        source: str | None,
        *,
        actor: str,
        only: str | None = None,
        typed: tuple[str, str] | None = None,
    ):
        """(results, the scenario drafts the run used); ``source`` None: every saved pathway
        draft in place of its file, as the scenario editor runs them; ``typed``: (name, text)
        of a scenario being edited, run as typed (unsaved)."""
        from engine.modeller.simulate import simulate  # noqa: PLC0415 - it builds an Engine

        if source is not None:
            self._audit_look(AuditAction.DEFINITION_SIMULATED, file_name, source, actor)
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            scenarios = self._scenario_texts(session, None if typed else only)
            if typed is not None:
                scenarios = {**scenarios, typed[0]: typed[1]}
                if only is not None:
                    scenarios = {only: scenarios[only]}
            seen = scenario_catalogue.drafts(session)
            files = catalogue.deployed_files(session)
            forms = catalogue.form_lookup(session, self.settings.forms_dir, with_deployed=True)
            if source is None:
                files.update(catalogue.draft_sources(session))
            else:
                files[catalogue.check_file_name(file_name)] = source
        sources = [SourceFile(n, text.encode("utf-8")) for n, text in sorted(files.items())]
        return simulate(self.settings, sources, forms, list(scenarios.items())), seen

    def deploy_source(
        self, file_name: str, source: str, *, actor: str, change_note: str
    ) -> list[deploying.DeployResult]:
        """Checks, then the scenarios (drafts included), then the next version; the pathway
        draft is gone once live, and the scenario drafts that run passed are live with it."""
        if not change_note.strip():
            raise InvalidRequest("say what changed and why: a deployment needs a change note")
        check = self.check_source(file_name, source, actor=actor)
        if check.problems:
            raise DeploymentRefused(check.problems)
        results, seen = self._simulate(file_name, source, actor=actor)
        if not all(r.passed for r in results):
            self.run(
                modeller_commands.record_deploy_blocked,
                actor=actor,
                file_name=file_name,
                failed=[r.file for r in results if not r.passed],
            )
            raise SimulationFailed(results)
        deployed = self.deploy_files(
            [catalogue.as_source_file(file_name, source)],
            actor=actor,
            change_note=change_note.strip(),
            origin=Origin.MODELLER,
        )
        self.run(modeller_commands.settle_deployment, actor=actor, file_name=file_name, seen=seen)
        return deployed

    def compare_versions(
        self, process_key: str, old: int, new: int, *, actor: str
    ) -> tuple[Comparison, str, str]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            before = catalogue.version_source(session, process_key, old).source
            after = catalogue.version_source(session, process_key, new).source
        return compare(before, after), before, after

    # -- forms ------------------------------------------------------------------------------

    def form_names(self, *, actor: str) -> list[str]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return catalogue.form_names(session, self.settings.forms_dir)

    def form_text(self, name: str, *, actor: str) -> str:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return catalogue.form_text(session, self.settings.forms_dir, name)

    def save_form(self, name: str, text: str, *, actor: str) -> None:
        self.run(modeller_commands.save_form, actor=actor, name=name, text=text)
