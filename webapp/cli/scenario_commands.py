"""``pathways scenario run``: tell each person's story against a fresh database."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from engine.config import Settings
from webapp.cli import output
from webapp.cli.base import cli, json_option


@cli.group()
def scenario() -> None:
    """Scenarios in workflows/scenarios/ that prove the pathways' rules."""


def scenario_files(paths: tuple[Path, ...]) -> list[Path]:
    if not paths:
        paths = (Settings().workflows_dir / "scenarios",)
    found: list[Path] = []
    for path in paths:
        found.extend(sorted(path.glob("*.yaml")) if path.is_dir() else [path])
    return found


@scenario.command("run")
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@json_option
def scenario_run(paths: tuple[Path, ...], as_json: bool) -> None:
    """Run scenarios (default: all of workflows/scenarios/), each on a fresh database."""
    from engine.scenarios.fresh import fresh_engine
    from engine.scenarios.model import load
    from engine.scenarios.runner import run_scenario

    outcomes = []
    for path in scenario_files(paths):
        with fresh_engine() as (engine, clock):
            outcome = run_scenario(engine, clock, load(path))
        outcomes.append((path, outcome))
        if not as_json:
            click.echo(outcome.line())
    failed = sum(not o.passed for _, o in outcomes)
    if as_json:
        output.emit_json(
            [
                {"file": p.name, "name": o.name, "passed": o.passed, "detail": o.detail}
                for p, o in outcomes
            ]
        )
    else:
        click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    if failed:
        sys.exit(1)
