"""Commands for pathways and cases: deploy, start, tasks, complete, timers, history."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import click

from webapp.cli import output
from webapp.cli.base import DATABASE_ID, INSTANT, cli, engine_from_env, json_option, read_data


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--as", "actor", default="system", show_default=True, help="Deploying user.")
@click.option("--note", default="", help="Change note recorded with new versions.")
@click.option("--check", is_flag=True, help="Validate only; deploy nothing.")
@click.option(
    "--keep-edits",
    is_flag=True,
    help="Where a pathway was edited in the modeller, keep the edit live; deploy the rest.",
)
@click.option(
    "--replace-edits",
    is_flag=True,
    help="Replace pathways edited in the modeller with these files (needs --note).",
)
@json_option
def deploy(
    paths: tuple[Path, ...],
    actor: str,
    note: str,
    *,
    check: bool,
    keep_edits: bool,
    replace_edits: bool,
    as_json: bool,
) -> None:
    """Validate and deploy BPMN/DMN files (default: workflows/).

    A file never silently replaces a version edited in the modeller: when the file is new
    since that edit, the deploy is refused unless --keep-edits or --replace-edits says which.
    """
    from engine.definitions.lineage import EditPolicy

    if keep_edits and replace_edits:
        raise click.UsageError("--keep-edits and --replace-edits contradict each other")
    edits = (
        EditPolicy.KEEP
        if keep_edits
        else EditPolicy.REPLACE
        if replace_edits
        else EditPolicy.REFUSE
    )
    engine = engine_from_env()
    if check:
        from engine.definitions.sources import collect
        from engine.errors import DeploymentRefused

        validation = engine.check_files(
            collect(list(paths) or [engine.settings.workflows_dir]), actor=actor
        )
        if validation.problems:
            raise DeploymentRefused(validation.problems)
        if as_json:
            output.emit_json({"ok": True, "processes": [c.key for c in validation.candidates]})
        else:
            click.echo(f"OK: {len(validation.candidates)} definition(s) would deploy cleanly.")
        return
    results = engine.deploy(list(paths) or None, actor=actor, change_note=note, edits=edits)
    if as_json:
        output.emit_json(results)
        return
    output.table(
        ["key", "kind", "version", "changed", "file"],
        [(r.process_key, r.kind, r.version, _what_happened(r), r.file_name) for r in results],
    )
    pending = [r.process_key for r in results if r.shipped_pending]
    if pending:
        click.echo(
            "A new shipped version waits behind an edit made in the modeller: "
            + ", ".join(pending)
            + ". Carry the edit over in the modeller (Versions shows the three versions).",
            err=True,
        )


def _what_happened(result) -> str:
    if result.changed:
        return "new version"
    if result.shipped_pending:
        return "edit kept, new file waiting"
    if result.kept_edit:
        return "edited in the modeller, kept"
    return "unchanged"


@cli.command()
@click.option("--as", "actor", default="system", show_default=True, help="Asking user.")
@json_option
def definitions(actor: str, as_json: bool) -> None:
    """List the latest version of every deployed process and decision."""
    rows = engine_from_env().definitions(actor=actor)
    if as_json:
        output.emit_json(rows)
        return
    output.table(
        ["key", "kind", "version", "deployed by", "deployed at", "file"],
        [
            (
                d["process_key"],
                d["kind"],
                d["version"],
                d["deployed_by"],
                d["deployed_at"],
                d["file"],
            )
            for d in rows
        ],
    )


@cli.command()
@click.argument("process_key")
@click.option("--as", "actor", required=True, help="Starting user.")
@click.option("--case", "case_ref", help="Attach to an existing case (PP-YYYY-NNNNNN).")
@click.option("--data", help="Start data: JSON, @file or @- for stdin.")
@json_option
def start(
    process_key: str, actor: str, case_ref: str | None, data: str | None, as_json: bool
) -> None:
    """Start a pathway for a new or existing case."""
    started = engine_from_env().start(
        process_key, actor=actor, case_ref=case_ref, data=read_data(data)
    )
    if as_json:
        output.emit_json(started)
    else:
        click.echo(f"case {started.case_ref}  instance {started.instance_id}  ({started.status})")


@cli.command()
@click.option("--as", "actor", required=True)
@click.option("--case", "case_ref")
@json_option
def tasks(actor: str, case_ref: str | None, as_json: bool) -> None:
    """Ready tasks this user may act on, soonest due first."""
    views = engine_from_env().tasks_for(actor, case_ref=case_ref)
    if as_json:
        output.emit_json(views)
        return
    output.table(
        ["id", "task", "case", "role", "assignee", "due"],
        [(v.id, v.title, v.case_ref, v.role, v.assignee, v.due_at) for v in views],
    )


@cli.command()
@click.argument("task_id")
@click.option("--as", "actor", required=True)
@click.option("--data", required=True, help="Answers: JSON, @file or @- for stdin.")
@json_option
def complete(task_id: str, actor: str, data: str, as_json: bool) -> None:
    """Complete a task with the form's answers (validated; refused answers change nothing)."""
    result = engine_from_env().complete_task(task_id, actor=actor, answers=read_data(data))
    if as_json:
        output.emit_json(result)
        return
    click.echo(f"completed; case {result.case_ref} is {result.instance_status}")
    for next_id in result.next_task_ids:
        click.echo(f"next task: {next_id}")


def _keys(values: tuple[str, ...]) -> dict[str, str]:
    pairs = [v.partition("=") for v in values]
    if any(not name or not sep for name, sep, _ in pairs):
        raise click.BadParameter("write each key as NAME=VALUE", param_hint="--key")
    return {name: value for name, _, value in pairs}


@cli.command()
@click.argument("name")
@click.option("--as", "actor", required=True, help="Sender (the waiting element's lane role).")
@click.option("--case", "case_ref", help="Deliver to this case's pathways.")
@click.option("--key", "keys", multiple=True, help="Correlation value NAME=VALUE (repeatable).")
@click.option("--data", help="The message's data: JSON, @file or @- for stdin.")
@json_option
def message(  # noqa: PLR0917 - click passes each option as an argument
    name: str,
    actor: str,
    case_ref: str | None,
    keys: tuple[str, ...],
    data: str | None,
    as_json: bool,
) -> None:
    """Deliver a BPMN message (another agency's answer) to the pathways waiting for it."""
    sent = engine_from_env().send_message(
        name, actor=actor, case_ref=case_ref, keys=_keys(keys), data=read_data(data)
    )
    if as_json:
        output.emit_json(sent)
        return
    for instance_id in sent.delivered:
        click.echo(f"delivered to instance {instance_id}")
    for instance_id in sent.started:
        click.echo(f"started instance {instance_id}")


@cli.command()
@click.argument("task_id")
@click.option("--as", "actor", required=True)
@json_option
def claim(task_id: str, actor: str, as_json: bool) -> None:
    """Take a task of your role so others see it is being handled."""
    view = engine_from_env().claim(task_id, actor=actor)
    output.emit_json(view) if as_json else click.echo(f"claimed by {view.assignee}")


@cli.command()
@click.argument("task_id")
@click.option("--as", "actor", required=True)
@json_option
def unclaim(task_id: str, actor: str, as_json: bool) -> None:
    """Give a claimed task back to its role."""
    view = engine_from_env().unclaim(task_id, actor=actor)
    output.emit_json(view) if as_json else click.echo("returned to the role")


@cli.group()
def timers() -> None:
    """Waiting timers."""


@timers.command("fire")
@click.option(
    "--now", "now", type=INSTANT, help="Fire as if it were this ISO 8601 time (default: now)."
)
@json_option
def timers_fire(now: datetime | None, as_json: bool) -> None:
    """Fire every timer due by now."""
    fired = engine_from_env().fire_due_timers(now)
    if as_json:
        output.emit_json(fired)
        return
    output.table(
        ["case", "instance", "timer", "due", "late (s)"],
        [(f.case_ref, f.instance_id, f.name, f.due_at, round(f.late_seconds)) for f in fired],
    )


@timers.command("list")
@click.option("--as", "actor", required=True, help="An administrator.")
@click.option(
    "--due-before", "due_before", type=INSTANT, help="Only timers due before this ISO 8601 time."
)
@click.option("--case", "case_ref")
@json_option
def timers_list(
    actor: str, due_before: datetime | None, case_ref: str | None, as_json: bool
) -> None:
    """Waiting timers, soonest first."""
    views = engine_from_env().timers(actor=actor, due_before=due_before, case_ref=case_ref)
    if as_json:
        output.emit_json(views)
        return
    output.table(
        ["case", "instance", "timer", "kind", "due", "status"],
        [(v.case_ref, v.instance_id, v.name, v.kind, v.due_at, v.status) for v in views],
    )


@cli.command()
@click.argument("instance_id", type=DATABASE_ID)
@click.option("--as", "actor", required=True, help="An administrator.")
@json_option
def history(instance_id: int, actor: str, as_json: bool) -> None:
    """The audit events of one process instance, oldest first (administrators only)."""
    entries = engine_from_env().history(instance_id, actor=actor)
    if as_json:
        output.emit_json(entries)
        return
    output.table(
        ["seq", "when", "who", "what", "detail"],
        [
            (
                e.seq,
                e.occurred_at,
                e.actor,
                e.action,
                ", ".join(f"{k}={v}" for k, v in sorted(e.detail.items())),
            )
            for e in entries
        ],
    )


@cli.group()
def instance() -> None:
    """Administrative operations on one process instance."""


def _status_command(name: str, help_text: str):
    @instance.command(name, help=help_text)
    @click.argument("instance_id", type=DATABASE_ID)
    @click.option("--as", "actor", required=True)
    @click.option("--reason", required=True)
    @json_option
    def command(instance_id: int, actor: str, reason: str, as_json: bool) -> None:
        status = getattr(engine_from_env(), name)(instance_id, actor=actor, reason=reason)
        if as_json:
            output.emit_json({"instance_id": instance_id, "status": status})
        else:
            click.echo(f"instance {instance_id} is {status}")

    return command


for _name, _help in (
    ("suspend", "Pause an instance: no task completions, no timers."),
    ("resume", "Continue a suspended instance."),
    ("terminate", "End an instance for good; open tasks are cancelled."),
):
    _status_command(_name, _help)


@cli.group()
def case() -> None:
    """Operations on a whole case."""


@case.command("close-as-mistake")
@click.argument("case_ref")
@click.option("--as", "actor", required=True, help="A supervisor or administrator.")
@click.option("--reason", required=True)
@json_option
def close_as_mistake(case_ref: str, actor: str, reason: str, as_json: bool) -> None:
    """Close a case opened by mistake (nothing recorded on it yet): its pathways end, it
    leaves inboxes and statistics, the reason is audited."""
    ended = engine_from_env().close_case_as_mistake(case_ref, actor=actor, reason=reason)
    if as_json:
        output.emit_json({"case_ref": case_ref.strip().upper(), "ended_instances": ended})
    else:
        click.echo(f"case {case_ref.strip().upper()} closed as opened by mistake")
