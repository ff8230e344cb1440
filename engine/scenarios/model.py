"""Reading scenario files (YAML) into steps, with errors that name the file and step."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import yaml

from engine.clock import parse_instant
from engine.errors import InvalidRequest

STEP_KINDS = ("start", "member", "complete", "refused", "claim", "wait", "expect")
_DURATION = re.compile(r"^\s*(\d+)\s*(minute|hour|day|week)s?\s*$")


@dataclass(frozen=True)
class Step:
    kind: str
    target: Any
    options: dict[str, Any]
    index: int

    def describe(self) -> str:
        return f"step {self.index + 1} ({self.kind} {self.target})"


@dataclass(frozen=True)
class Scenario:
    name: str
    path: Path | None
    steps: list[Step]
    start_at: datetime
    proves: list[str] = field(default_factory=list)
    users: dict[str, list[str]] = field(default_factory=dict)


def parse_duration(value: Any) -> timedelta:
    """``"30 days"``, ``"2 hours"``, or ``{"days": 30, "hours": 1}``."""
    if isinstance(value, dict):
        return timedelta(**{str(k): float(v) for k, v in value.items()})
    match = _DURATION.match(str(value))
    if not match:
        raise InvalidRequest(f"cannot read the duration {value!r} (e.g. '30 days')")
    amount, unit = int(match.group(1)), match.group(2)
    return timedelta(**{f"{unit}s": amount})


@dataclass(frozen=True)
class RelativeDay:
    """``!days_from_today -4``: a date counted from the engine's clock when the step runs, so
    that stories seeded on any day (the demo cases) record a contact that already happened."""

    days: int

    def on(self, now: datetime) -> str:
        return (now.date() + timedelta(days=self.days)).isoformat()


class _ScenarioLoader(yaml.SafeLoader):
    """Safe YAML plus the one tag scenarios need."""


def _relative_day(loader: yaml.SafeLoader, node: yaml.Node) -> RelativeDay:
    value = loader.construct_scalar(node)
    try:
        return RelativeDay(int(value))
    except ValueError as err:
        raise yaml.constructor.ConstructorError(
            None,
            None,
            f"!days_from_today takes a whole number of days, not {value!r}",
            node.start_mark,
        ) from err


_ScenarioLoader.add_constructor("!days_from_today", _relative_day)


def resolve_days(value: Any, now: datetime) -> Any:
    """Answers with every ``!days_from_today`` turned into its date."""
    if isinstance(value, RelativeDay):
        return value.on(now)
    if isinstance(value, dict):
        return {k: resolve_days(v, now) for k, v in value.items()}
    if isinstance(value, list):
        return [resolve_days(v, now) for v in value]
    return value


def load(path: Path) -> Scenario:
    return load_text(path.read_text(encoding="utf-8"), path)


def load_text(text: str, path: Path) -> Scenario:
    """A scenario from its YAML text; ``path`` names it (its file, or its name in the modeller).

    Coordinators write these in the browser, so every shape is checked and refused with the
    step named, and a document that would expand beyond reason through aliases (YAML's
    "billion laughs") is refused before anything walks it.
    """
    if len(text.encode("utf-8", "replace")) > MAX_SCENARIO_BYTES:
        raise InvalidRequest(f"{path.name}: a scenario is at most {MAX_SCENARIO_BYTES // 1024} KB")
    try:
        document = yaml.load(text, Loader=_ScenarioLoader)  # noqa: S506 - SafeLoader and one tag
    except yaml.YAMLError as err:
        raise InvalidRequest(f"{path.name}: not valid YAML: {err}") from err
    _check_expansion(document, path.name)
    return from_dict(document, path)


MAX_SCENARIO_BYTES = 256 * 1024
MAX_NODES = 200_000  # the largest shipped scenario has about 2,000
TOP_LEVEL = frozenset({"name", "proves", "start_at", "users", "steps"})


def _check_expansion(document: Any, where: str) -> None:
    budget, pending = MAX_NODES, [document]
    while pending:
        budget -= 1
        if budget < 0:
            raise InvalidRequest(f"{where}: the scenario expands beyond {MAX_NODES} values")
        node = pending.pop()
        if isinstance(node, dict):
            pending.extend(node.keys())
            pending.extend(node.values())
        elif isinstance(node, list):
            pending.extend(node)


def from_dict(document: Any, path: Path | None = None) -> Scenario:
    where = path.name if path else "scenario"
    if not isinstance(document, dict) or "steps" not in document or "name" not in document:
        raise InvalidRequest(f"{where}: a scenario needs a name and steps")
    unknown = sorted(str(k) for k in document if k not in TOP_LEVEL)
    if unknown:
        raise InvalidRequest(
            f"{where}: unknown key(s) {', '.join(unknown)}; a scenario has "
            + ", ".join(sorted(TOP_LEVEL))
        )
    if not isinstance(document["name"], str) or not document["name"].strip():
        raise InvalidRequest(f"{where}: the name is a line of text")
    if not isinstance(document["steps"], list) or not document["steps"]:
        raise InvalidRequest(f"{where}: steps is a list with at least one step")
    steps = []
    for index, raw in enumerate(document["steps"]):
        if not isinstance(raw, dict):
            raise InvalidRequest(
                f"{where}: step {index + 1} is a mapping like 'start: identification'"
            )
        kinds = [k for k in STEP_KINDS if k in raw]
        if len(kinds) != 1:
            raise InvalidRequest(
                f"{where}: step {index + 1} needs exactly one of {', '.join(STEP_KINDS)}"
            )
        kind = kinds[0]
        options = {str(k): v for k, v in raw.items() if k != kind}
        steps.append(Step(kind, raw[kind], options, index))
    try:
        start_at = parse_instant(str(document.get("start_at", "2026-03-02T09:00:00+00:00")))
    except (ValueError, OverflowError) as err:
        raise InvalidRequest(
            f"{where}: start_at is a date and time like 2026-03-02T09:00:00+00:00"
        ) from err
    proves = document.get("proves") or []
    users = document.get("users") or {}
    if not isinstance(proves, list) or not all(isinstance(p, str) for p in proves):
        raise InvalidRequest(f"{where}: proves is a list of rule names")
    if not isinstance(users, dict) or not all(
        isinstance(k, str) and isinstance(v, list) and all(isinstance(r, str) for r in v)
        for k, v in users.items()
    ):
        raise InvalidRequest(f"{where}: users maps a user name to a list of roles")
    return Scenario(
        name=document["name"],
        path=path,
        steps=steps,
        start_at=start_at,
        proves=list(proves),
        users={k: list(v) for k, v in users.items()},
    )
