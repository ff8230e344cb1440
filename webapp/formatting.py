"""How dates and facts read on pages: "in 3 days (9 Mar 2026)", "2 days overdue"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from babel.dates import format_date, format_datetime
from flask import Flask, current_app, has_request_context
from flask_babel import gettext, lazy_gettext, ngettext

from engine.audit.actions import AuditAction
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


def _locale() -> str:
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


# Each audit action as the console names it, translatable (the stored code never changes).
# The English is exactly what the rule in action_label makes of the code; an action missing
# here still reads by that rule, in English only.
ACTION_LABELS = {
    AuditAction.DEFINITION_DEPLOYED: lazy_gettext("Definition deployed"),
    AuditAction.DRAFT_SAVED: lazy_gettext("Draft saved"),
    AuditAction.DRAFT_DISCARDED: lazy_gettext("Draft discarded"),
    AuditAction.DEPLOY_BLOCKED: lazy_gettext("Deploy blocked"),
    AuditAction.DEFINITION_VALIDATED: lazy_gettext("Definition validated"),
    AuditAction.DEFINITION_SIMULATED: lazy_gettext("Definition simulated"),
    AuditAction.FORM_SAVED: lazy_gettext("Form saved"),
    AuditAction.CASE_CREATED: lazy_gettext("Case created"),
    AuditAction.CASE_FACTS_CHANGED: lazy_gettext("Facts changed"),
    AuditAction.CASE_VIEWED: lazy_gettext("Case viewed"),
    AuditAction.CASE_ACCESS_REFUSED: lazy_gettext("Access refused"),
    AuditAction.CASE_DISCLOSED: lazy_gettext("Case disclosed"),
    AuditAction.CASE_CLOSED_AS_MISTAKE: lazy_gettext("Closed mistake"),
    AuditAction.STATISTICS_EXPORTED: lazy_gettext("Export htcds"),
    AuditAction.INSTANCE_STARTED: lazy_gettext("Instance started"),
    AuditAction.INSTANCE_COMPLETED: lazy_gettext("Instance completed"),
    AuditAction.INSTANCE_SUSPENDED: lazy_gettext("Instance suspended"),
    AuditAction.INSTANCE_RESUMED: lazy_gettext("Instance resumed"),
    AuditAction.INSTANCE_TERMINATED: lazy_gettext("Instance terminated"),
    AuditAction.INSTANCE_MIGRATED: lazy_gettext("Instance migrated"),
    AuditAction.TASK_CLAIMED: lazy_gettext("Task claimed"),
    AuditAction.TASK_UNCLAIMED: lazy_gettext("Task unclaimed"),
    AuditAction.TASK_REASSIGNED: lazy_gettext("Task reassigned"),
    AuditAction.TASK_COMPLETED: lazy_gettext("Task completed"),
    AuditAction.TASK_DRAFT_SAVED: lazy_gettext("Task draft saved"),
    AuditAction.TIMER_FIRED: lazy_gettext("Timer fired"),
    AuditAction.MESSAGE_RECEIVED: lazy_gettext("Message received"),
    AuditAction.TIMER_MOVED: lazy_gettext("Timer moved"),
    AuditAction.INCIDENT_RAISED: lazy_gettext("Incident raised"),
    AuditAction.INCIDENT_RETRIED: lazy_gettext("Incident retried"),
    AuditAction.USER_CREATED: lazy_gettext("User created"),
    AuditAction.USER_ROLES_CHANGED: lazy_gettext("Roles changed"),
    AuditAction.LOGIN_OK: lazy_gettext("Login ok"),
    AuditAction.LOGIN_FAILED: lazy_gettext("Login failed"),
    AuditAction.LOGIN_THROTTLED: lazy_gettext("Login throttled"),
    AuditAction.LOGOUT: lazy_gettext("User logout"),
    AuditAction.TOKEN_CREATED: lazy_gettext("Token created"),
    AuditAction.USER_DEACTIVATED: lazy_gettext("User deactivated"),
    AuditAction.USER_ACTIVATED: lazy_gettext("User activated"),
    AuditAction.PASSWORD_RESET: lazy_gettext("Password reset"),
    AuditAction.PASSWORD_CHANGED: lazy_gettext("Password changed"),
    AuditAction.CASE_MEMBER_ADDED: lazy_gettext("Member added"),
    AuditAction.CASE_MEMBER_REMOVED: lazy_gettext("Member removed"),
    AuditAction.EVENT_DATA_VIEWED: lazy_gettext("Data viewed"),
    AuditAction.CHAIN_VERIFIED: lazy_gettext("Chain verified"),
    AuditAction.KEY_ROTATED: lazy_gettext("Data key rotated"),
    AuditAction.DATA_RESEALED: lazy_gettext("Data re-encrypted"),
}


def action_label(action: str) -> str:
    """``instance:task:completed`` -> "Task completed"; unknown actions read as they are stored."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
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
