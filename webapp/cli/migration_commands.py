"""``pathways migrate``: move running cases to a newer version of their pathway."""

from __future__ import annotations

import click

from webapp.cli import output
from webapp.cli.base import DATABASE_ID, cli, engine_from_env, json_option

VERSION = click.IntRange(1, 1_000_000)


@cli.group()
def migrate() -> None:
    """Plan and run the move of running cases to a newer pathway version."""


@migrate.command("plan")
@click.argument("process_key")
@click.option("--to", "to_version", type=VERSION, required=True, help="Target version.")
@click.option("--from", "from_version", type=VERSION, help="Only instances on this version.")
@click.option("--as", "actor", default="system", show_default=True, help="Asking user.")
@json_option
def migrate_plan(
    process_key: str, to_version: int, from_version: int | None, actor: str, as_json: bool
) -> None:
    """Each running instance on an older version: can it move, and if not, why."""
    lines = engine_from_env().migration_plan(
        process_key, to_version, actor=actor, from_version=from_version
    )
    if as_json:
        output.emit_json(
            [{k: v for k, v in line.as_dict().items() if k != "to_version"} for line in lines]
        )
        return
    output.table(
        ["instance", "case", "from", "can move", "why not"],
        [
            (
                line.instance_id,
                line.case_ref,
                line.from_version,
                "yes" if line.can_migrate else "no",
                "; ".join(line.problems) or "-",
            )
            for line in lines
        ],
    )


@migrate.command("run")
@click.argument("process_key")
@click.option("--to", "to_version", type=VERSION, required=True, help="Target version.")
@click.option("--from", "from_version", type=VERSION, help="Only instances on this version.")
@click.option("--as", "actor", required=True, help="A coordinator or administrator.")
@click.option("--reason", required=True, help="Why, for the audit trail.")
@click.option(
    "--instance",
    "instance_ids",
    type=DATABASE_ID,
    multiple=True,
    help="Only this instance (repeat for several); default: every one that can move.",
)
@json_option
def migrate_run(
    process_key: str,
    *,
    to_version: int,
    from_version: int | None,
    actor: str,
    reason: str,
    instance_ids: tuple[int, ...],
    as_json: bool,
) -> None:
    """Move the instances that can move, each in its own transaction; the others stay as
    they were."""
    outcome = engine_from_env().migrate(
        process_key,
        to_version,
        actor=actor,
        reason=reason,
        instance_ids=list(instance_ids) or None,
        from_version=from_version,
    )
    if as_json:
        output.emit_json(outcome)
        return
    click.echo(f"migrated to version {to_version}: {len(outcome.migrated)} instance(s)")
    for line in outcome.refused:
        click.echo(f"not moved: instance {line.instance_id}: " + "; ".join(line.problems))
