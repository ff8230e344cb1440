"""How dates and facts read on pages: "in 3 days (9 Mar 2026)", "2 days overdue"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, has_request_context, request
from flask_babel import gettext, ngettext

from webapp.i18n import current_language


def _now() -> datetime:
    return current_app.extensions["pathways"].clock.now()


def due_in_words(due: datetime | None) -> str:
    if due is None:
        return gettext("No due date")
    days = (due.date() - _now().date()).days
    if due < _now():
        late = max((_now() - due).days, 0)
        if late == 0:
            return gettext("Overdue today")
        return ngettext("%(num)d day overdue", "%(num)d days overdue", late)
    if days == 0:
        return gettext("Due today")
    if days == 1:
        return gettext("Due tomorrow")
    return gettext("Due in %(days)d days", days=days)


def is_overdue(due: datetime | None) -> bool:
    return due is not None and due < _now()


def _as_datetime(value: datetime | str) -> datetime | str:
    """Stored facts and audit details hold ISO text; anything else is shown as it is."""
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return value
    return value


# The console and the modeller are English tools (their <main> says lang="en"): dates there too.
ENGLISH_TOOLS = ("/admin", "/modeller")


def _locale() -> str:
    if has_request_context() and request.path.startswith(ENGLISH_TOOLS):
        return "en"
    return current_language() if has_request_context() else "en"


def day(value: datetime | str | None) -> str:
    """ "5 Jan 2026" in English, "5 ม.ค. 2026" in Thai, "5 thg 1 2026" in Vietnamese."""
    value = "-" if value is None else _as_datetime(value)
    if isinstance(value, str):
        return value
    return format_date(value, "d MMM y", locale=_locale())


def moment(value: datetime | str | None) -> str:
    value = "-" if value is None else _as_datetime(value)
    if isinstance(value, str):
        return value
    when = value if value.tzinfo else value.replace(tzinfo=UTC)
    return format_datetime(when, "d MMM y, HH:mm", tzinfo=UTC, locale=_locale()) + " UTC"


def fact(value: Any) -> str:
    if value is True:
        return gettext("Yes")
    if value is False:
        return gettext("No")
    if isinstance(value, str) and len(value) >= 10 and value[4] == "-":
        return day(value)
    return str(value)


def role_label(role: str | None) -> str:
    return (role or "").replace("_", " ").capitalize()


def action_label(action: str) -> str:
    """``instance:task:completed`` -> "Task completed"; unknown actions read as they are stored."""
    words = action.split(":")[1:] if action.count(":") >= 2 else action.split(":")
    return " ".join(words).replace("_", " ").capitalize()


def register(app: Flask) -> None:
    app.jinja_env.filters.update(
        due_in_words=due_in_words,
        is_overdue=is_overdue,
        day=day,
        moment=moment,
        fact=fact,
        role_label=role_label,
        action_label=action_label,
    )
