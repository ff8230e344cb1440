"""``pathways backup`` and ``pathways restore`` for the embedded SQLite database."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.cli.base import cli, engine_from_env


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """A consistent snapshot of the SQLite database while the app runs (keys are not in it)."""
    from engine.db import backup as backups  # noqa: PLC0415

    size = backups.backup(engine_from_env().db, target)
    click.echo(f"Backed up to {target} ({size} bytes). Back up the key file separately.")


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite the existing database file.")
def restore(source: Path, replace: bool) -> None:
    """Replace the SQLite database with a backup (stop `pathways serve` first)."""
    import os  # noqa: PLC0415

    from engine.config import Settings  # noqa: PLC0415
    from engine.db import backup as backups  # noqa: PLC0415

    if not (os.environ.get("PATHWAYS_DATA_KEYS") or Settings().key_file.exists()):
        raise click.ClickException(
            "restore the key file (or set PATHWAYS_DATA_KEYS) first: without the key that"
            " encrypted it, a restored database cannot be read"
        )
    engine = engine_from_env(check_schema=False)
    backups.restore(engine.db, source, replace=replace)
    report = engine.verify_audit()
    if not report.ok:
        raise click.ClickException(
            f"restored, but the audit chain does not verify: {report.reason}"
        )
    click.echo(f"Restored from {source}; audit chain verified up to event {report.last_seq}.")
