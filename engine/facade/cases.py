"""Opening a case: need-to-know, and every look (allowed or refused) audited."""

from __future__ import annotations

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.cases import commands as case_commands
from engine.cases.access import access_case_by_ref
from engine.cases.overview import CaseOverview, overview
from engine.facade.core import EngineCore


class CasesFacade(EngineCore):
    def view_case(self, ref: str, *, actor: str) -> CaseOverview:
        """The case overview for someone with a relation to it; everyone else gets NotFound.

        A refusal is recorded in the audit trail (see ``access_case_by_ref``).
        """

        def command(session):
            person = self._as(session, actor)
            case = access_case_by_ref(session, person, ref, view="case page")
            self.record(
                session,
                person.username,
                AuditAction.CASE_VIEWED,
                context=chain.AuditContext(case_ref=case.ref),
            )
            return overview(session, self.services, case)

        return self.write(command)

    def close_case_as_mistake(self, ref: str, *, actor: str, reason: str) -> list[int]:
        """A case opened by mistake leaves inboxes and statistics, audited with its reason."""
        return self.write(
            lambda s: case_commands.close_as_mistake(
                s, self.services, actor=self._as(s, actor), case_ref=ref, reason=reason
            )
        )
