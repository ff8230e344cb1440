"""Disclosures: outputs that let information leave the system.

Each is written to the audit trail in the same transaction that produces it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from engine.accountability import htcds, referral
from engine.accountability.history import case_history, histories
from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.cases.access import access_case_by_ref
from engine.errors import InvalidRequest
from engine.instances.models import CaseStatus, ProtectionCase
from engine.modeller.catalogue import form_lookup
from engine.services import Services
from engine.users.actors import Actor, require_coordinator

MAX_FREE_TEXT = 200


def _text(value: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise InvalidRequest(f"{what} is required")
    if len(text) > MAX_FREE_TEXT:
        raise InvalidRequest(f"{what} must be at most {MAX_FREE_TEXT} characters")
    return text


def _option_titles(lookup):
    """Form option titles for a referral summary, so a partner reads "Female", not "female"."""
    cache: dict[str, dict[str, Any]] = {}

    def title(form: str, field: str, value: Any) -> str | None:
        if form not in cache:
            cache[form] = lookup.load(form, None)[0] or {}
        spec = cache[form].get("properties", {}).get(field, {})
        options = spec.get("oneOf") or spec.get("items", {}).get("oneOf") or []
        return next((o.get("title") for o in options if o.get("const") == value), None)

    return title


def export_htcds(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    start: date,
    end: date,
    min_cell_size: int | None,
    mapping: htcds.Mapping | None,
) -> htcds.Export:
    """Cases registered from ``start`` to ``end`` (inclusive), anonymised."""
    require_coordinator(actor, "export statistics")
    if end < start:
        raise InvalidRequest("the end date is before the start date")
    mapping = mapping or htcds.load_mapping()
    if min_cell_size is not None:
        if min_cell_size < 2:
            raise InvalidRequest("the minimum cell size must be at least 2")
        mapping = replace(mapping, min_cell_size=min_cell_size)
    since = datetime.combine(start, time.min, UTC)
    until = datetime.combine(end + timedelta(days=1), time.min, UTC)
    cases = session.scalars(
        select(ProtectionCase)
        .where(ProtectionCase.created_at >= since, ProtectionCase.created_at < until)
        # Cases opened by mistake never were cases: they are not counted at all.
        .where(ProtectionCase.status != CaseStatus.OPENED_BY_MISTAKE)
        .order_by(ProtectionCase.id)
    )
    export = htcds.build(histories(session, services, cases), mapping)
    trail.record(
        session,
        services,
        actor,
        AuditAction.STATISTICS_EXPORTED,
        # The summary holds the minimum cell size used.
        detail={"start": start.isoformat(), "end": end.isoformat(), **export.summary()},
    )
    return export


def referral_summary(
    session: Session,
    services: Services,
    *,
    actor: Actor,
    ref: str,
    recipient: str,
    organisation: str,
    reason: str,
    forms_dir: Path,
) -> referral.ReferralSummary:
    """Only for people who may open the case, only with consent or an override."""
    recipients = referral.load_recipients()
    if recipient not in recipients:
        raise InvalidRequest(f"unknown kind of recipient {recipient!r}")
    organisation = _text(organisation, "the receiving organisation")
    reason = _text(reason, "the reason for the referral")
    case = access_case_by_ref(session, actor, ref, view="referral summary")
    made = referral.summary(
        case_history(session, services, case),
        recipients[recipient],
        organisation,
        _option_titles(form_lookup(session, forms_dir)),
    )
    # Who received it and why are typed by people: sealed like answers, shown on request.
    trail.record(
        session,
        services,
        actor,
        AuditAction.CASE_DISCLOSED,
        context=trail.AuditContext(case_ref=case.ref),
        detail={"recipient": recipient, "basis": made.basis, "fields": made.disclosed_fields},
        payload={"organisation": organisation, "reason": reason},
    )
    return made
