"""``pathways export htcds`` and ``pathways commitments overdue``: outputs for oversight bodies."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from webapp.cli import output
from webapp.cli.base import cli, engine_from_env, json_option


@cli.group()
def export() -> None:
    """Anonymised exports for statistics (each export is audited)."""


@export.command("htcds")
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--as", "actor", required=True, help="The coordinator or administrator exporting.")
@click.option("--output", "target", type=click.Path(path_type=Path), help="File (default: stdout).")
@click.option(
    "--min-cell", type=int, help="Minimum cell size (default from engine/data/htcds.toml)."
)
def export_htcds(start, end, actor: str, target: Path | None, min_cell: int | None) -> None:
    """One anonymised HTCDS row per consenting case registered in the period (CSV)."""
    made = engine_from_env().export_htcds(
        actor=actor, start=start.date(), end=end.date(), min_cell_size=min_cell
    )
    if target is None:
        sys.stdout.write(made.csv_text())
    else:
        target.write_text(made.csv_text(), encoding="utf-8")
    click.echo(made.explanation(), err=True)


@cli.group()
def commitments() -> None:
    """The protection-commitments record."""


@commitments.command("overdue")
@click.option("--as", "actor", required=True, help="The coordinator or administrator asking.")
@json_option
def commitments_overdue(actor: str, as_json: bool) -> None:
    """Open cases with commitments not met by the time they were expected."""
    late = engine_from_env().overdue_commitments(actor=actor)
    if as_json:
        output.emit_json(late)
        return
    for item in late:
        click.echo(f"{item.case_ref}  {item.days_late:>4} days late  {item.commitment}")
    if not late:
        click.echo("No commitment is overdue.")
