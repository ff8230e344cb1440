"""Run the pathways' scenarios against a draft before it may go live.

The scenarios in ``workflows/scenarios/`` prove the guide's rules (a child is
presumed a child, no return during reflection, ...). A draft that breaks one
would break that rule for real cases, so deployment waits until they pass.
Each scenario runs on its own copy of a throw-away SQLite database holding
what is deployed now with the draft in place of its file.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from engine.clock import FixedClock
from engine.config import CONFIG_DIR, Settings
from engine.crypto.keyring import Keyring, new_key
from engine.definitions.sources import FormLookup, SourceFile
from engine.errors import DeploymentRefused, InvalidRequest
from engine.modeller.outcomes import SimulationResult
from engine.modeller.simulation_memo import SimulationMemo, deployment_digest, scenario_key
from engine.runtime import Engine
from engine.scenarios.model import load_text
from engine.scenarios.runner import run_scenario


def _engine(settings: Settings, folder: Path, database: Path, keyring: Keyring) -> Engine:
    url = f"sqlite:///{database}"
    local = Settings(
        var_dir=folder,
        database_url=url,
        forms_dir=settings.forms_dir,
        workflows_dir=settings.workflows_dir,
        calendar_file=settings.calendar_file,
        # its own, never the real trail's (the environment may name those)
        audit_checkpoint_file=folder / f"{database.stem}-checkpoints.jsonl",
        audit_checkpoint_key_file=folder / "audit-checkpoint.key",
    )
    return Engine(local, keyring=keyring, clock=FixedClock())


MEMO = SimulationMemo()


def simulate(
    settings: Settings,
    files: list[SourceFile],
    forms: FormLookup,
    scenarios: list[tuple[str, str]],
) -> list[SimulationResult]:
    """``files`` is everything that would be live after the deployment; ``scenarios`` are
    (name, YAML text). A scenario that cannot be read fails with its reason; one that passed
    on exactly these inputs before is not run again (see ``simulation_memo``)."""
    deployment = deployment_digest(settings, files, forms, CONFIG_DIR)
    keys = [scenario_key(deployment, file, text) for file, text in scenarios]
    remembered = [MEMO.get(key) for key in keys]
    if all(result is not None for result in remembered):
        return list(remembered)
    keyring = Keyring([new_key()])
    with tempfile.TemporaryDirectory(prefix="pp-simulate-") as name:
        folder = Path(name)
        template = folder / "template.db"
        base = _engine(settings, folder, template, keyring)
        try:
            base.upgrade_database()
            base.deploy_files(files, actor="system", form_lookup=forms)
        except DeploymentRefused as refused:
            problems = "; ".join(map(str, refused.problems))
            return [SimulationResult("-", "deployment", False, problems)]
        finally:
            base.close()
        results = []
        for index, (file, text) in enumerate(scenarios):
            if remembered[index] is not None:
                results.append(remembered[index])
                continue
            try:
                scenario = load_text(text, Path(file))
            except InvalidRequest as unreadable:
                results.append(SimulationResult(file, file, False, unreadable.message))
                continue
            copy = folder / f"run-{index}.db"
            shutil.copyfile(template, copy)
            engine = _engine(settings, folder, copy, keyring)
            try:
                outcome = run_scenario(engine, engine.clock, scenario)
            finally:
                engine.close()
            result = SimulationResult(
                file, outcome.name, outcome.passed, outcome.detail, outcome.step_results(scenario)
            )
            MEMO.put(keys[index], result)
            results.append(result)
        return results
