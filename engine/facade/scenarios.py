"""The scenarios in the modeller: list, open, check, draft, retire, run."""

from __future__ import annotations

from engine.facade.modeller import MODELLER, ModellerFacade
from engine.modeller import commands as scenario_commands
from engine.modeller import scenario_catalogue
from engine.modeller.outcomes import SimulationResult
from engine.users.actors import require_coordinator


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
        self.run(scenario_commands.save_scenario_draft, actor=actor, name=name, text=text)

    def retire_scenario(self, name: str, *, actor: str, reason: str) -> None:
        self.run(
            scenario_commands.retire_scenario,
            actor=actor,
            name=name,
            reason=reason,
            scenarios_dir=self._scenarios_dir,
        )

    def discard_scenario_draft(self, name: str, *, actor: str) -> None:
        self.run(scenario_commands.discard_scenario_draft, actor=actor, name=name)

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
