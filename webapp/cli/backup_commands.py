"""``pathways backup`` and ``pathways restore`` for the embedded SQLite database."""

from __future__ import annotations

from pathlib import Path

import click

from webapp.cli.base import cli, engine_from_env


@cli.command()
@click.argument("target", type=click.Path(path_type=Path))
def backup(target: Path) -> None:
    """A consistent snapshot of the SQLite database while the app runs (keys are not in it)."""
    from engine.db import backup as backups

    size = backups.backup(engine_from_env().db, target)
    click.echo(f"Backed up to {target} ({size} bytes). Back up the key file separately.")


@cli.command()
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite the existing database file.")
def restore(source: Path, replace: bool) -> None:
    """Replace the SQLite database with a backup (stop `pathways serve` first)."""
    import os

    from engine.config import Settings
    from engine.db import backup as backups

    if not (os.environ.get("PATHWAYS_DATA_KEYS") or Settings().key_file.exists()):
        raise click.ClickException(
            "restore the key file (or set PATHWAYS_DATA_KEYS) first: without the key that"
            " encrypted it, a restored database cannot be read"
        )
    from engine.audit import chain

    engine = engine_from_env(check_schema=False)
    backups.restore(engine.db, source, replace=replace)
    signed = engine.audit_checkpoints.load()
    with engine.read() as session:  # the operator holds the files: no user needed to look
        report = chain.verify(session)
        against = signed.compare(session)
    if not report.ok:
        raise click.ClickException(
            f"restored, but the audit chain does not verify: {report.reason}"
        )
    click.echo(f"Restored from {source}; audit chain verified up to event {report.last_seq}.")
    if not against.ok:
        click.echo(f"The restored trail does not match the checkpoints in {against.source}:")
        for problem in against.problems:
            click.echo(f"  - {problem}")
        click.echo(
            "Events signed after this backup was taken are not in it. Keep that file as the"
            " record of what the restore lost, and move it aside so new checkpoints start afresh."
        )


@cli.group()
def keys() -> None:
    """Data-encryption keys: status, rotation, re-encryption."""


def _usage_lines(engine) -> list[str]:
    active = engine.keyring.active_key_id
    lines = []
    for table, counts in engine.key_usage().items():
        parts = ", ".join(
            f"{key_id}{' (active)' if key_id == active else ''}: {n}"
            for key_id, n in sorted(counts.items())
        )
        lines.append(f"{table}: {parts or 'nothing stored'}")
    return lines


@keys.command("status")
def keys_status() -> None:
    """Which key sealed how much, per table."""
    for line in _usage_lines(engine_from_env()):
        click.echo(line)


@keys.command("rotate")
def keys_rotate() -> None:
    """Put a new key first in the key file, then re-encrypt case data under it."""
    import os

    from engine.config import Settings
    from engine.crypto.keyring import Keyring, new_key, write_key_file

    if os.environ.get("PATHWAYS_DATA_KEYS"):
        raise click.ClickException(
            "keys come from PATHWAYS_DATA_KEYS: put a new key first in that list yourself"
            " (keep the old ones after it), restart the services, then run `pathways keys reseal`"
        )
    key_file = Settings().key_file
    if not key_file.exists():
        raise click.ClickException(f"no key file at {key_file}")
    old = Keyring.from_file(key_file)
    write_key_file(key_file, [new_key(), *old.raw_keys()])
    click.echo(f"New key first in {key_file}; earlier keys kept for reading.")
    engine_from_env().record_key_rotation()
    _reseal()
    click.echo("Restart web and scheduler processes so they encrypt with the new key, then run")
    click.echo("`pathways keys reseal` once more for what they wrote in the meantime.")


@keys.command("reseal")
def keys_reseal() -> None:
    """Re-encrypt everything not yet under the active key (safe while the app runs)."""
    _reseal()


def _reseal() -> None:
    report = engine_from_env().reseal()
    for table, count in report.resealed.items():
        click.echo(f"{table}: {count} re-encrypted")
    if report.changed_meanwhile:
        click.echo(f"{report.changed_meanwhile} changed meanwhile: run reseal again")
    if report.audit_payloads_on_old_keys:
        click.echo(
            f"{report.audit_payloads_on_old_keys} audit payloads stay under earlier keys (the hash"
            " chain covers them): keep those keys in the file"
        )
