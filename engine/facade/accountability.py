"""Accountability outputs: overdue commitments, the anonymised export, referral summaries.

Each output that lets information leave the system is a disclosure, audited by its
command (``engine/accountability/commands.py``).
"""

from __future__ import annotations

from datetime import date

from engine.accountability import commands as accountability_commands
from engine.accountability import htcds, referral
from engine.accountability.overdue import Overdue, overdue_commitments
from engine.facade.core import EngineCore
from engine.users.actors import require_coordinator


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
        return self.run(
            accountability_commands.export_htcds,
            actor=actor,
            start=start,
            end=end,
            min_cell_size=min_cell_size,
            mapping=mapping,
        )

    def referral_recipients(self) -> dict[str, referral.Recipient]:
        return referral.load_recipients()

    def referral_summary(
        self, ref: str, *, actor: str, recipient: str, organisation: str, reason: str
    ) -> referral.ReferralSummary:
        return self.run(
            accountability_commands.referral_summary,
            actor=actor,
            ref=ref,
            recipient=recipient,
            organisation=organisation,
            reason=reason,
            forms_dir=self.settings.forms_dir,
        )
