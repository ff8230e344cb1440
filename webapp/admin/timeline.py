"""An instance's audit history in people's words, for the administrator's timeline.

The stored events keep ids and codes (they are evidence and must not change);
this page reads them back as names: steps by their title or diagram name,
pathways by name, roles in words, nothing printed as a Python value. Repeated
looks at the case by the same person in a row become one line with a count.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask_babel import gettext

from engine.audit.queries import AuditEntry
from webapp.i18n import translated

VIEWED = "case:viewed"
STARTED = "instance:started"
MIGRATED = "instance:migrated"
# Detail keys that repeat what the line already says, or only matter to a machine.
_HIDDEN = frozenset({"bpmn_id", "form", "content_hash", "source_sha256"})


@dataclass
class TimelineLine:
    seq: int
    action: str
    actor: str
    occurred_at: datetime
    version: int | None
    words: list[str] = field(default_factory=list)
    has_payload: bool = False
    repeated: int = 1
    last_at: datetime | None = None


def _role(value: Any) -> str:
    """A role in the words the rest of the application uses (they are in the catalogs)."""
    return translated(str(value).replace("_", " ").capitalize())


def _named(value: Any, names: dict[str, str]) -> str:
    return names.get(str(value), str(value))


def _quoted(text: Any) -> str:
    """A name or title between the reader's quotation marks."""
    return gettext("“%(text)s”", text=text)


def _listed(values: Any, names: dict[str, str], quote: Callable[[Any], str] = _quoted) -> str:
    if isinstance(values, dict):
        return "; ".join(
            gettext("%(name)s version %(version)s", name=_named(k, names), version=v)
            for k, v in sorted(values.items())
        )
    if isinstance(values, list):
        return ", ".join(quote(_named(v, names)) for v in values)
    return _named(values, names)


# How a detail reads, by its key; anything else reads as "key words: value".
_PHRASES: dict[str, Callable[[Any, dict[str, str]], str]] = {
    "title": lambda v, _n: _quoted(v),
    "bpmn_id": lambda v, n: gettext("step “%(name)s”", name=_named(v, n)),
    "role": lambda v, _n: gettext("role %(role)s", role=_role(v)),
    "previous_assignee": lambda v, _n: gettext("held before by %(user)s", user=v),
    "versions": _listed,
    "elements": lambda v, n: gettext("at %(elements)s", elements=_listed(v, n)),
    "message": lambda v, _n: gettext("message “%(name)s”", name=v),
    "from_version": lambda v, _n: gettext("from version %(version)s", version=v),
    "to_version": lambda v, _n: gettext("to version %(version)s", version=v),
    "versions_before": lambda v, n: gettext("before: %(versions)s", versions=_listed(v, n)),
}


def _plain(value: Any, names: dict[str, str]) -> str:
    """A value as words; the key before it is a stored name and stays as it is."""
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list | dict):
        # Unquoted; curly quotes inside the names go too, as they always have here.
        return _listed(value, names, quote=str).replace("“", "").replace("”", "")
    return str(value)


def _words(key: str, value: Any, names: dict[str, str], detail: dict[str, Any]) -> str | None:
    if value is None or value in ("", [], {}):
        return None
    if key in _HIDDEN and (key != "bpmn_id" or "title" in detail):
        return None
    phrase = _PHRASES.get(key)
    if phrase is not None:
        return phrase(value, names)
    return f"{key.replace('_', ' ')}: {_plain(value, names)}"


def timeline(history: list[AuditEntry], names: dict[str, str]) -> list[TimelineLine]:
    lines: list[TimelineLine] = []
    for event in history:
        previous = lines[-1] if lines else None
        if (
            previous is not None
            and event.action == VIEWED
            and previous.action == VIEWED
            and previous.actor == event.actor
        ):
            previous.repeated += 1
            previous.last_at = event.occurred_at
            continue
        words = [
            shown
            for key, value in sorted(event.detail.items(), key=lambda item: item[0] != "title")
            if (shown := _words(key, value, names, event.detail)) is not None
        ]
        lines.append(
            TimelineLine(
                event.seq,
                event.action,
                event.actor,
                event.occurred_at,
                event.definition_version,
                words,
                event.has_payload,
            )
        )
    return lines


@dataclass(frozen=True)
class VersionStep:
    """One stretch of an instance's life on one version: since it started, or was migrated."""

    version: int | None
    since: datetime
    actor: str
    reason: str | None = None
    migrated: bool = False


def version_history(history: list[AuditEntry]) -> list[VersionStep]:
    steps = []
    for event in history:
        if event.action == STARTED:
            steps.append(VersionStep(event.definition_version, event.occurred_at, event.actor))
        elif event.action == MIGRATED:
            steps.append(
                VersionStep(
                    event.detail.get("to_version"),
                    event.occurred_at,
                    event.actor,
                    event.detail.get("reason"),
                    migrated=True,
                )
            )
    return steps
