"""The ``pathways`` group, error reporting and the helpers every command uses.

Expected failures (bad input, conflicts, refusals, unknown ids) print one
plain message to stderr and exit non-zero without a traceback; the exit
status says which kind (see ``engine.errors``).
"""

from __future__ import annotations

import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any

import click

from engine.clock import parse_instant
from engine.db.base import MAX_INTEGER
from engine.errors import DeploymentRefused, EngineError, FormValidationFailed
from engine.json_input import JsonRefused, loads_bounded


class PathwaysGroup(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except EngineError as err:
            _report(err, as_json=bool(ctx.meta.get("json")))
            sys.exit(err.exit_status)


def _report(err: EngineError, *, as_json: bool) -> None:
    if as_json:
        body: dict[str, Any] = {"error": err.code, "message": err.message}
        if isinstance(err, FormValidationFailed):
            body["errors"] = [e.as_dict() for e in err.errors]
        if isinstance(err, DeploymentRefused):
            body["problems"] = [p.as_dict() for p in err.problems]
        click.echo(json.dumps(body, indent=2, sort_keys=True), err=True)
        return
    click.echo(f"error: {err.message}", err=True)


# An id of a row (instance, incident): a number the database's integer columns can hold, so an
# out-of-range one is a plain usage error instead of a database refusal.
DATABASE_ID = click.IntRange(0, MAX_INTEGER)


class _Instant(click.ParamType):
    """An ISO 8601 time (a date or a time without a zone is UTC); anything else is a usage error."""

    name = "time"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, datetime):
            return value
        try:
            return parse_instant(str(value))
        except (ValueError, OverflowError):
            self.fail(f"{value!r} is not an ISO 8601 time such as 2026-03-02T09:00:00Z", param, ctx)


INSTANT = _Instant()


def json_option(func):
    def remember(ctx: click.Context, _param: click.Parameter, value: bool) -> bool:
        ctx.meta["json"] = value
        return value

    return click.option(
        "--json",
        "as_json",
        is_flag=True,
        expose_value=True,
        callback=remember,
        help="Print machine-readable JSON.",
    )(func)


def read_data(value: str | None) -> dict[str, Any]:
    """``--data '{...}'``, ``--data @answers.json`` or ``--data @-`` (stdin)."""
    if value is None:
        return {}
    if value.startswith("@"):
        source = value[1:]
        text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    else:
        text = value
    try:
        data = loads_bounded(text)
    except JsonRefused as err:  # also too deep, endless digits, NaN, NUL characters
        raise click.BadParameter(str(err), param_hint="--data") from err
    if not isinstance(data, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--data")
    return data


def engine_from_env(*, check_schema: bool = True):
    """The engine the environment configures, closed (its connections returned) when the
    command ends: in a process of its own that is the exit anyway, under Click's runner not."""
    from engine.runtime import Engine

    engine = Engine()
    context = click.get_current_context(silent=True)
    if context is not None:
        context.call_on_close(engine.close)
    if check_schema:
        engine.require_current_schema()
    return engine


@click.group(cls=PathwaysGroup)
def cli() -> None:
    """Protection Pathways: executable protection pathways for victims of trafficking."""
