"""Commands for operators: database, users, audit verification, serving."""

from __future__ import annotations

import sys

import click

from webapp.cli import output
from webapp.cli.base import cli, engine_from_env, json_option


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (idempotent)."""
    engine_from_env().upgrade_database()
    click.echo("database is up to date")


@cli.group()
def users() -> None:
    """People and their roles."""


@users.command("add")
@click.argument("username")
@click.option("--role", "roles", multiple=True, required=True, help="Repeat for several roles.")
@click.option("--display-name", default="")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--as", "actor", default="system", show_default=True)
def users_add(
    username: str, roles: tuple[str, ...], display_name: str, password_stdin: bool, actor: str
) -> None:
    """Create a user. Without --password-stdin the user cannot sign in until a password is set."""
    password = sys.stdin.readline().rstrip("\n") if password_stdin else None
    engine_from_env().add_user(
        username, roles=list(roles), password=password, display_name=display_name, actor=actor
    )
    click.echo(f"user {username} created with roles: {', '.join(roles)}")


@cli.group()
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@json_option
def audit_verify(as_json: bool) -> None:
    """Recompute the hash chain; exit 1 and name the first broken row if it does not hold."""
    report = engine_from_env().verify_audit()
    if as_json:
        output.emit_json(report.as_dict())
    elif report.ok:
        when = report.last_occurred_at.isoformat() if report.last_occurred_at else "-"
        click.echo(f"OK: {report.checked} events verified, up to event {report.last_seq} at {when}")
    else:
        where = (
            f"event seq {report.broken_seq} (row id {report.broken_id})"
            if report.broken_seq
            else "the chain head"
        )
        click.echo(f"BROKEN at {where}: {report.reason}", err=True)
        click.echo(f"verified intact up to event {report.last_seq}", err=True)
    if not report.ok:
        sys.exit(1)


DEMO_PASSWORD = "pathways-demo"  # noqa: S105 - printed on purpose; demo data on the embedded database only


@cli.group()
def demo() -> None:
    """Demo data for trying the app on the embedded database."""


@demo.command("seed")
@click.option("--force", is_flag=True, help="Also seed a non-embedded (PostgreSQL) database.")
def demo_seed(force: bool) -> None:
    """One demo user per role (username = role), idempotent."""
    engine = engine_from_env()
    if not engine.settings.is_embedded_default and not force:
        raise click.ClickException("refusing to seed demo users into a non-embedded database")
    created = []
    for role in engine.roles():
        if not engine.user_exists(role):
            engine.add_user(role, roles=[role], password=DEMO_PASSWORD, display_name=f"Demo {role}")
            created.append(role)
    click.echo(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for role in engine.roles():
        click.echo(f"  {role}{'  (new)' if role in created else ''}")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--interval", default=1.0, show_default=True, help="Seconds between timer sweeps.")
def serve(host: str, port: int, interval: float) -> None:
    """Run the service: for now it fires due timers and shows how to use the CLI."""
    import time  # noqa: PLC0415

    engine = engine_from_env()
    click.echo(
        f"Protection Pathways engine running (database: {engine.db.dialect}); "
        f"the web inbox will listen on http://{host}:{port}.\n"
        "Meanwhile, use the CLI in another terminal, e.g.:\n"
        "  .venv/bin/pathways tasks --as first_responder\n"
        "  .venv/bin/pathways start demo_referral --as first_responder\n"
        "Firing due timers every %.1f s; Ctrl-C stops." % interval
    )
    try:
        while True:
            for fired in engine.fire_due_timers():
                click.echo(
                    f"timer fired: {fired.case_ref} {fired.name} (late {fired.late_seconds:.1f}s)"
                )
            time.sleep(interval)
    except KeyboardInterrupt:
        click.echo("stopped")
