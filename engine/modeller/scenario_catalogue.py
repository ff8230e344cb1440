"""The scenarios a deployment must pass, as the modeller edits them.

Three layers, the later winning by name: the files shipped in ``workflows/scenarios/``; the
scenarios edited, added or retired in the modeller and deployed (``scenario_source``); the
modeller's drafts (``scenario_draft``). Simulations run what is live with the drafts in
place; a pathway deployment whose scenarios all pass makes the drafts live. A retired
scenario (``source`` None) stays retired even when a release ships its file again, as an
edited one is never undone by the shipped file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.errors import InvalidRequest, NotFound
from engine.modeller.models import ScenarioDraft, ScenarioSource
from engine.scenarios.model import Scenario, load_text

SCENARIO_NAME = re.compile(r"^[a-z0-9][a-z0-9_\-]{0,95}\.yaml$")
SHIPPED, EDITED, ADDED = "shipped", "edited", "added"


@dataclass(frozen=True)
class ScenarioLine:
    """One scenario in the modeller's list."""

    name: str
    title: str  # the scenario's own ``name:`` line, or why it cannot be read
    origin: str  # shipped, edited (a shipped one changed here) or added here
    draft: str | None  # "edited" or "retired" while a draft waits; None otherwise
    retired: bool  # live: retired (its draft may bring it back)


def check_name(name: str) -> str:
    clean = (name or "").strip()
    if not SCENARIO_NAME.match(clean):
        raise InvalidRequest(
            "a scenario name is lower-case letters, digits, _ and -, ending in .yaml"
        )
    return clean


def check_text(name: str, text: str) -> Scenario:
    """The scenario, or :class:`InvalidRequest` naming what is wrong and where."""
    if not isinstance(text, str) or not text.strip():
        raise InvalidRequest(f"{name}: the scenario is empty")
    return load_text(text, Path(name))


def _shipped(scenarios_dir: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(scenarios_dir.glob("*.yaml"))}


def _overrides(session: Session, model) -> dict[str, str | None]:
    return {row.name: row.source for row in session.scalars(select(model))}


def in_force(session: Session, scenarios_dir: Path, *, drafts: bool) -> dict[str, str]:
    """name -> YAML text of every scenario a deployment must pass, in name order."""
    texts: dict[str, str | None] = dict(_shipped(scenarios_dir))
    texts.update(_overrides(session, ScenarioSource))
    if drafts:
        texts.update(_overrides(session, ScenarioDraft))
    return {name: text for name, text in sorted(texts.items()) if text is not None}


def listing(session: Session, scenarios_dir: Path) -> list[ScenarioLine]:
    shipped = _shipped(scenarios_dir)
    live = _overrides(session, ScenarioSource)
    drafts = _overrides(session, ScenarioDraft)
    lines = []
    for name in sorted(shipped.keys() | live.keys() | drafts.keys()):
        current = live.get(name, shipped.get(name))
        shown = drafts.get(name, current) if name in drafts else current
        origin = SHIPPED if name not in live else EDITED if name in shipped else ADDED
        draft = None if name not in drafts else "retired" if drafts[name] is None else "edited"
        lines.append(
            ScenarioLine(name, _title(name, shown), origin, draft, name in live and current is None)
        )
    return lines


def _title(name: str, text: str | None) -> str:
    if text is None:
        return ""
    try:
        return check_text(name, text).name
    except InvalidRequest as err:
        return err.message


def text_of(session: Session, scenarios_dir: Path, name: str) -> tuple[str, bool]:
    """(the text to edit, whether it is a draft); a retired scenario opens empty."""
    name = check_name(name)
    draft = session.get(ScenarioDraft, name)
    if draft is not None:
        return draft.source or "", True
    live = session.get(ScenarioSource, name)
    if live is not None:
        return live.source or "", False
    shipped = scenarios_dir / name
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8"), False
    raise NotFound(f"no scenario {name}")


def save_draft(session: Session, name: str, text: str | None, *, actor: str, now: datetime) -> None:
    """``text`` None: retire the scenario at the next deployment."""
    name = check_name(name)
    if text is not None:
        text = text.replace("\r\n", "\n")  # a browser's textarea sends CRLF
        check_text(name, text)
    row = session.get(ScenarioDraft, name)
    if row is None:
        session.add(ScenarioDraft(name=name, source=text, saved_by=actor, saved_at=now))
    else:
        row.source, row.saved_by, row.saved_at = text, actor, now


def discard_draft(session: Session, name: str) -> bool:
    row = session.get(ScenarioDraft, check_name(name))
    if row is None:
        return False
    session.delete(row)
    return True


def drafts(session: Session) -> dict[str, str | None]:
    """name -> draft text (None: retire), as a deployment's scenario run saw them."""
    return _overrides(session, ScenarioDraft)


def publish_drafts(
    session: Session, seen: dict[str, str | None], *, actor: str, now: datetime
) -> list[tuple[str, bool]]:
    """Make live the drafts a deployment's scenario run used (``seen``); a draft changed
    since that run stays a draft. Returns (name, retired) of each one published."""
    published = []
    for draft in session.scalars(select(ScenarioDraft).order_by(ScenarioDraft.name)):
        if draft.name not in seen or seen[draft.name] != draft.source:
            continue
        live = session.get(ScenarioSource, draft.name)
        if live is None:
            session.add(
                ScenarioSource(name=draft.name, source=draft.source, saved_by=actor, saved_at=now)
            )
        else:
            live.source, live.saved_by, live.saved_at = draft.source, actor, now
        published.append((draft.name, draft.source is None))
        session.delete(draft)
    return published
