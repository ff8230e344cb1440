"""Accountability outputs: overdue commitments, the anonymised export, referral summaries.

Each output that lets information leave the system is a disclosure and is
written to the audit trail in the same transaction that produces it.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select

from engine.accountability import htcds, referral
from engine.accountability.history import case_history, histories
from engine.accountability.overdue import Overdue, overdue_commitments
from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.cases.access import access_case_by_ref
from engine.errors import InvalidRequest
from engine.facade.core import EngineCore
from engine.instances.models import CaseStatus, ProtectionCase
from engine.modeller.catalogue import form_lookup
from engine.users.actors import require_coordinator

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


class AccountabilityFacade(EngineCore):
    def overdue_commitments(self, *, actor: str) -> list[Overdue]:
        with self.read() as session:
            require_coordinator(self._as(session, actor), "list overdue commitments")
            return overdue_commitments(session, self.services, self.clock.now())

    def export_htcds(
        self,
        *,
        actor: str,
        start: date,
        end: date,
        min_cell_size: int | None = None,
        mapping: htcds.Mapping | None = None,
    ) -> htcds.Export:
        """Cases registered from ``start`` to ``end`` (inclusive), anonymised; audited."""
        if end < start:
            raise InvalidRequest("the end date is before the start date")
        mapping = mapping or htcds.load_mapping()
        if min_cell_size is not None:
            if min_cell_size < 2:
                raise InvalidRequest("the minimum cell size must be at least 2")
            mapping = replace(mapping, min_cell_size=min_cell_size)
        since = datetime.combine(start, time.min, UTC)
        until = datetime.combine(end + timedelta(days=1), time.min, UTC)

        def command(session):
            person = self._as(session, actor)
            require_coordinator(person, "export statistics")
            cases = session.scalars(
                select(ProtectionCase)
                .where(ProtectionCase.created_at >= since, ProtectionCase.created_at < until)
                # Cases opened by mistake never were cases: they are not counted at all.
                .where(ProtectionCase.status != CaseStatus.OPENED_BY_MISTAKE)
                .order_by(ProtectionCase.id)
            )
            export = htcds.build(histories(session, self.services, cases), mapping)
            self.record(
                session,
                person.username,
                AuditAction.STATISTICS_EXPORTED,
                start=start.isoformat(),
                end=end.isoformat(),
                **export.summary(),  # holds the minimum cell size used
            )
            return export

        return self.write(command)

    def referral_recipients(self) -> dict[str, referral.Recipient]:
        return referral.load_recipients()

    def referral_summary(
        self, ref: str, *, actor: str, recipient: str, organisation: str, reason: str
    ) -> referral.ReferralSummary:
        """Only for people who may open the case, only with consent or an override; audited."""
        recipients = referral.load_recipients()
        if recipient not in recipients:
            raise InvalidRequest(f"unknown kind of recipient {recipient!r}")
        organisation = _text(organisation, "the receiving organisation")
        reason = _text(reason, "the reason for the referral")

        def command(session):
            person = self._as(session, actor)
            case = access_case_by_ref(session, person, ref, view="referral summary")
            made = referral.summary(
                case_history(session, self.services, case),
                recipients[recipient],
                organisation,
                _option_titles(form_lookup(session, self.settings.forms_dir)),
            )
            # Who received it and why are typed by people: sealed like answers, shown on request.
            chain.append(
                session,
                self.keyring,
                occurred_at=self.clock.now(),
                actor=person.username,
                action=AuditAction.CASE_DISCLOSED,
                context=chain.AuditContext(case_ref=case.ref),
                detail={
                    "recipient": recipient,
                    "basis": made.basis,
                    "fields": made.disclosed_fields,
                },
                payload={"organisation": organisation, "reason": reason},
            )
            return made

        return self.write(command)
