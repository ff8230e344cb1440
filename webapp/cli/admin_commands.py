"""Commands for operators: database, users, audit verification, serving."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from webapp.cli import output
from webapp.cli.base import DATABASE_ID, cli, engine_from_env, json_option


@cli.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply all migrations (idempotent)."""
    before, after = engine_from_env(check_schema=False).upgrade_database()
    if before is None:
        click.echo(f"database created at schema {after}")
    elif before != after:
        click.echo(f"database migrated from schema {before} to {after}")
    else:
        click.echo(f"database is up to date (schema {after})")


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
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option(
    "--checkpoints",
    type=click.Path(path_type=Path, dir_okay=False),
    help="Check against this copy of the checkpoint file (e.g. one kept off the machine).",
)
@json_option
def audit_verify(actor: str, checkpoints: Path | None, as_json: bool) -> None:
    """Recompute the hash chain and compare it with its signed checkpoints.

    Exit 1 and say plainly what does not hold: the first broken row, a row rewritten after a
    checkpoint signed it, events cut off the end, or a checkpoint whose signature is bad.
    """
    if checkpoints is not None and not checkpoints.is_file():
        raise click.BadParameter(f"no file {checkpoints}", param_hint="--checkpoints")
    report = engine_from_env().verify_audit(actor=actor, checkpoints=checkpoints)
    if as_json:
        output.emit_json(report.as_dict())
    else:
        _print_verification(report)
    if not report.ok:
        sys.exit(1)


def _print_verification(report) -> None:
    signed = report.checkpoints
    if report.chain_ok:
        when = report.last_occurred_at.isoformat() if report.last_occurred_at else "-"
        line = f"{report.checked} events verified, up to event {report.last_seq} at {when}"
        click.echo(f"OK: {line}" if report.ok else f"Chain intact: {line}")
    else:
        where = (
            f"event seq {report.broken_seq} (row id {report.broken_id})"
            if report.broken_seq
            else "the chain head"
        )
        click.echo(f"BROKEN at {where}: {report.reason}", err=True)
        click.echo(f"verified intact up to event {report.last_seq}", err=True)
    if signed is None:
        return
    if not signed.ok:
        click.echo(f"BROKEN: the trail does not match its checkpoints in {signed.source}", err=True)
    for problem in signed.problems:
        click.echo(f"  - {problem}", err=True)
    if signed.ok and signed.latest_seq is None:
        click.echo(f"No signed checkpoints yet in {signed.source}.")
    elif signed.ok:
        click.echo(
            f"Checkpoints: {signed.checked} signed checkpoint(s) in {signed.source} match;"
            f" the latest names event {signed.latest_seq}, signed at {signed.latest_at}."
        )
    if signed.signed_now is not None:
        click.echo(f"Event {signed.signed_now} is signed in a new checkpoint.")


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
    for role in engine.roles(actor="system"):
        if not engine.user_exists(role):
            engine.add_user(role, roles=[role], password=DEMO_PASSWORD, display_name=f"Demo {role}")
            created.append(role)
    click.echo(f"Demo users (password for all: {DEMO_PASSWORD}):")
    for role in engine.roles(actor="system"):
        click.echo(f"  {role}{'  (new)' if role in created else ''}")
    _seed_demo_cases(engine)


def _seed_demo_cases(engine) -> None:
    """A few cases at different stages, once, so the inbox is not empty on first look."""
    from engine.config import CONFIG_DIR
    from engine.scenarios.model import load
    from engine.scenarios.runner import run_scenario

    if engine.timers(actor="admin") or any(engine.tasks_for("admin")):
        click.echo("Demo cases exist already: sign in as admin and open Console > Instances.")
        return
    for story in sorted((CONFIG_DIR / "demo").glob("*.yaml")):
        outcome = run_scenario(engine, None, load(story))
        click.echo(
            f"demo case {outcome.case_ref}: {outcome.name}"
            if outcome.passed
            else f"demo case failed: {outcome.detail}"
        )


def _run_scheduler(engine, *, safety_interval: float, banner: str) -> None:
    """Run the timer scheduler until SIGINT/SIGTERM, then release its SQLite lease."""
    import signal
    import threading

    from engine.timers.scheduler import TimerScheduler

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    scheduler = TimerScheduler(engine, safety_interval=safety_interval)
    scheduler.start()
    click.echo(f"{banner} (scheduler {scheduler.owner}); Ctrl-C stops.")
    try:
        stop.wait()
    finally:
        scheduler.stop()
        click.echo("stopped")


@cli.command()
@click.option("--once", is_flag=True, help="Fire what is due now, then exit (e.g. from cron).")
@click.option(
    "--safety-interval",
    default=1.0,
    show_default=True,
    help="Seconds between checks for timers created by other processes.",
)
@json_option
def scheduler(once: bool, safety_interval: float, as_json: bool) -> None:
    """The timer service on its own, for deployments with several web workers.

    Several may run against PostgreSQL; on SQLite one is active and others wait as standby.
    """
    engine = engine_from_env()
    if not once:
        _run_scheduler(engine, safety_interval=safety_interval, banner="Timer scheduler running")
        return
    from engine.timers.scheduler import TimerScheduler

    single = TimerScheduler(engine)
    if not single.hold_sqlite_lock():
        raise click.ClickException("another scheduler is active on this SQLite database")
    try:
        result = single.sweeper.sweep()
    finally:
        single.release_sqlite_lock()
    if as_json:
        output.emit_json(
            {"fired": result.fired, "failed": result.failed, "incidents": result.incidents}
        )
    else:
        counts = (len(result.fired), len(result.failed), len(result.incidents))
        click.echo("fired {}, failed {}, incidents {}".format(*counts))


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--threads", default=8, show_default=True, type=int)
@click.option("--safety-interval", default=1.0, show_default=True)
@click.option(
    "--no-scheduler", is_flag=True, help="Serve only (run `pathways scheduler` elsewhere)."
)
def serve(host: str, port: int, threads: int, safety_interval: float, no_scheduler: bool) -> None:
    """Serve the web app (waitress) with the timer scheduler in the same process."""
    import signal
    import threading

    from waitress.server import create_server

    from engine.timers.scheduler import TimerScheduler
    from webapp.app import create_app
    from webapp.security import transport

    try:
        hops = transport.proxy_hops_from_environment()
    except ValueError as err:
        raise click.ClickException(str(err)) from None
    engine = engine_from_env()
    # The app believes PATHWAYS_PROXY_HOPS forwarding hops; waitress hands the headers over.
    app = create_app(engine, proxy_hops=hops)
    server = create_server(
        app, host=host, port=port, threads=threads, **transport.WAITRESS_SETTINGS
    )
    scheduler = None if no_scheduler else TimerScheduler(engine, safety_interval=safety_interval)
    if scheduler:
        scheduler.start()

    def stop(*_args) -> None:
        threading.Thread(target=server.close, daemon=True).start()

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, stop)
    timers = (
        "timers are running"
        if scheduler
        else "timers do NOT run here: start `pathways scheduler` beside it"
    )
    click.echo(f"Serving on http://{host}:{port} ({engine.db.dialect}); {timers}; Ctrl-C stops.")
    try:
        server.run()
    except (OSError, ValueError):
        pass  # the server's sockets closed on stop
    finally:
        if scheduler:
            scheduler.stop()
        click.echo("stopped")


@cli.group()
def tokens() -> None:
    """API tokens."""


@tokens.command("create")
@click.option("--as", "actor", required=True, help="The user the token acts as.")
@click.option("--name", default="", help="What the token is for.")
def tokens_create(actor: str, name: str) -> None:
    """Print a new bearer token for the JSON API (shown once; stored hashed)."""
    click.echo(engine_from_env().create_token(actor, name=name))


@cli.group()
def incidents() -> None:
    """Timers that kept failing and wait for an administrator."""


@incidents.command("list")
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option("--all", "include_resolved", is_flag=True, help="Include resolved incidents.")
@json_option
def incidents_list(actor: str, include_resolved: bool, as_json: bool) -> None:
    views = engine_from_env().incidents(actor=actor, include_resolved=include_resolved)
    if as_json:
        output.emit_json(views)
        return
    output.table(
        ["id", "case", "instance", "element", "attempts", "since", "error"],
        [
            (v.id, v.case_ref, v.instance_id, v.bpmn_id, v.attempts, v.created_at, v.error[:60])
            for v in views
        ],
    )


@incidents.command("retry")
@click.argument("incident_id", type=DATABASE_ID)
@click.option("--as", "actor", required=True)
@click.option("--reason", required=True)
def incidents_retry(incident_id: int, actor: str, reason: str) -> None:
    """Queue the failed timer again with a fresh count of attempts."""
    engine_from_env().retry_incident(incident_id, actor=actor, reason=reason)
    click.echo(f"incident {incident_id} resolved; its timer is queued again")
