"""A case summary for a referral: only what the receiving organisation needs, and only with consent.

Which fields each kind of partner receives lives in ``engine/data/referrals.toml``.
The summary is a disclosure: the facade records it in the audit trail with the
recipient, the reason and the field names before the page is shown.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.accountability.history import CaseHistory, Step
from engine.config import CONFIG_DIR
from engine.errors import InvalidRequest

RECIPIENTS_FILE = CONFIG_DIR / "referrals.toml"
CONSENT_TASKS = ("consent_to_referral", "consent_after_age_assessment")
OVERRIDE_TASKS = ("consent_override", "override_after_age")

# (form name, field, stored value) -> the option's title, or None to show the value as is.
OptionTitle = Callable[[str, str, Any], str | None]


@dataclass(frozen=True)
class Recipient:
    key: str
    title: str
    fields: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class SummaryLine:
    label: str
    value: str


@dataclass(frozen=True)
class ReferralSummary:
    case_ref: str
    recipient: Recipient
    organisation: str
    lines: tuple[SummaryLine, ...]
    basis: str

    @property
    def disclosed_fields(self) -> list[str]:
        return [line.label for line in self.lines]


def load_recipients(path: Path = RECIPIENTS_FILE) -> dict[str, Recipient]:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    return {
        key: Recipient(key, spec["title"], tuple((label, src) for label, src in spec["fields"]))
        for key, spec in document.items()
    }


def sharing_basis(history: CaseHistory) -> str | None:
    """Why sharing is allowed (consent, or a recorded override), or None when it is not."""
    decisions = history.done(*CONSENT_TASKS, *OVERRIDE_TASKS)
    if not decisions:
        return None
    step = decisions[-1]
    if step.bpmn_id in CONSENT_TASKS and step.answer("consent_disclosure") is True:
        return f"consent to disclosure recorded by {step.actor} on {step.at:%Y-%m-%d}"
    if step.bpmn_id in OVERRIDE_TASKS and step.answer("consent_overridden") is True:
        return f"referral without consent decided by {step.actor} on {step.at:%Y-%m-%d}"
    return None


def _shown(value: Any, title: Callable[[Any], str | None]) -> str:
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(_shown(v, title) for v in value)
    return title(value) or str(value)


def _value(history: CaseHistory, source: str, option_title: OptionTitle) -> str | None:
    if source.startswith("fact:"):
        value = history.facts.get(source.removeprefix("fact:"))
        return None if value is None else _shown(value, lambda _v: None)
    task, _, name = source.partition(".")
    step: Step | None = history.last(task)
    if step is None or step.answer(name) in (None, "", []):
        return None
    return _shown(step.answer(name), lambda v: option_title(step.form or "", name, v))


def summary(
    history: CaseHistory,
    recipient: Recipient,
    organisation: str,
    option_title: OptionTitle,
) -> ReferralSummary:
    basis = sharing_basis(history)
    if basis is None:
        raise InvalidRequest(
            "The person has not consented to their information being shared and no decision "
            "to refer without consent is recorded, so no referral summary can be made."
        )
    lines = tuple(
        SummaryLine(label, shown)
        for label, source in recipient.fields
        if (shown := _value(history, source, option_title)) is not None
    )
    return ReferralSummary(history.ref, recipient, organisation, lines, basis)
