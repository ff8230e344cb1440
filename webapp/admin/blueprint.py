"""The console's blueprint and the helpers its views share."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from flask import Blueprint, flash, request
from flask_babel import gettext

from engine.clock import parse_instant
from engine.errors import ConflictError, InvalidRequest, NotFound

admin = Blueprint("admin", __name__, url_prefix="/admin")
T = TypeVar("T")

# Refusals an administrator can fix on the same page; anything else (403, 500) is a real error.
CORRECTABLE = (InvalidRequest, NotFound, ConflictError)


def attempt(operation: Callable[[], T], done: str) -> T | None:
    """Run an operation; say what happened in a notice either way, and change nothing on refusal."""
    try:
        result = operation()
    except CORRECTABLE as err:
        flash(gettext("Nothing changed: %(why)s", why=err.message), "error")
        return None
    flash(done, "ok")
    return result


def form_text(name: str) -> str:
    return request.form.get(name, "").strip()


def parse_moment(text: str) -> datetime:
    """A ``datetime-local`` or ISO value; times without a zone are UTC, as the console shows."""
    try:
        return parse_instant(text)
    except (ValueError, OverflowError) as err:  # overflow: a zone pushing year 1 or 9999 out
        raise InvalidRequest(gettext("not a date and time: %(text)s", text=repr(text))) from err


def parse_day(text: str | None) -> datetime | None:
    """An optional filter's date (or date and time); empty is no filter, anything else that is
    not a date is refused, never read as "no filter" (which would widen what is shown)."""
    if not text or not text.strip():
        return None
    try:
        return parse_instant(text)
    except (ValueError, OverflowError) as err:
        raise InvalidRequest(gettext("not a date: %(text)s", text=repr(text))) from err
