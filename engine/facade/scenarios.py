"""The scenarios in the modeller: list, open, check, draft, retire, run."""

from __future__ import annotations

from engine.audit.actions import AuditAction
from engine.facade.modeller import MODELLER, ModellerFacade
from engine.modeller import scenario_catalogue
from engine.modeller.outcomes import SimulationResult
from engine.users.actors import require_coordinator, required_reason


class ScenariosFacade(ModellerFacade):
    def scenarios(self, *, actor: str) -> list[scenario_catalogue.ScenarioLine]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return scenario_catalogue.listing(session, self._scenarios_dir)

    def scenario_text(self, name: str, *, actor: str) -> tuple[str, bool]:
        """(the YAML to edit, whether it is a draft)."""
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
            return scenario_catalogue.text_of(session, self._scenarios_dir, name)

    def check_scenario(self, name: str, text: str, *, actor: str) -> str:
        """The scenario's title when it reads as a scenario; otherwise InvalidRequest says
        what is wrong and where. Nothing runs, so nothing is recorded."""
        with self.read() as session:
            require_coordinator(self._as(session, actor), MODELLER)
        return scenario_catalogue.check_text(scenario_catalogue.check_name(name), text).name

    def save_scenario_draft(self, name: str, text: str, *, actor: str) -> None:
        """A new or edited scenario waits as a draft; it goes live with the next deployment
        whose scenarios, this one included, all pass."""

        def command(session):
            person = self._as(session, actor)
            require_coordinator(person, MODELLER)
            scenario_catalogue.save_draft(
                session, name, text, actor=person.username, now=self.clock.now()
            )
            self.record(session, person.username, AuditAction.SCENARIO_DRAFT_SAVED, scenario=name)

        self.write(command)

    def retire_scenario(self, name: str, *, actor: str, reason: str) -> None:
        """A scenario a structural change made obsolete stops being required at the next
        deployment; it proved a rule, so why it goes is recorded."""

        def command(session):
            person = self._as(session, actor)
            require_coordinator(person, MODELLER)
            why = required_reason(reason)
            scenario_catalogue.text_of(session, self._scenarios_dir, name)  # it exists
            scenario_catalogue.save_draft(
                session, name, None, actor=person.username, now=self.clock.now()
            )
            self.record(
                session,
                person.username,
                AuditAction.SCENARIO_DRAFT_SAVED,
                scenario=name,
                retire=True,
                reason=why,
            )

        self.write(command)

    def discard_scenario_draft(self, name: str, *, actor: str) -> None:
        def command(session):
            person = self._as(session, actor)
            require_coordinator(person, MODELLER)
            if scenario_catalogue.discard_draft(session, name):
                self.record(
                    session, person.username, AuditAction.SCENARIO_DRAFT_DISCARDED, scenario=name
                )

        self.write(command)

    def run_scenarios(
        self, *, actor: str, only: str | None = None, typed: tuple[str, str] | None = None
    ) -> list[SimulationResult]:
        """The scenarios (drafts included; or the one named) against what would be live if
        every saved pathway draft were deployed; ``typed`` (name, text) runs an edit as it
        stands in the editor, unsaved."""
        if typed is not None:
            scenario_catalogue.check_name(typed[0])
        results, _ = self._simulate("", None, actor=actor, only=only, typed=typed)
        return results
