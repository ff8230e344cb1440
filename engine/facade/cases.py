"""Opening a case: need-to-know, and every look (allowed or refused) audited."""

from __future__ import annotations

from engine.audit import chain
from engine.audit.actions import AuditAction
from engine.cases import access
from engine.cases.overview import CaseOverview, overview
from engine.errors import NotFound
from engine.facade.core import EngineCore

MAX_REF_IN_AUDIT = 40


class CasesFacade(EngineCore):
    def view_case(self, ref: str, *, actor: str) -> CaseOverview:
        """The case overview for someone with a relation to it; everyone else gets NotFound.

        The refusal is committed to the audit trail before it is raised.
        """

        def command(session):
            person = self._as(session, actor)
            case = access.case_by_ref(session, ref)
            allowed = case is not None and access.has_relation(session, person, case)
            chain.append(
                session,
                self.keyring,
                occurred_at=self.clock.now(),
                actor=person.username,
                action=AuditAction.CASE_VIEWED if allowed else AuditAction.CASE_ACCESS_REFUSED,
                context=chain.AuditContext(case_ref=case.ref if allowed else None),
                detail={} if allowed else {"ref": ref[:MAX_REF_IN_AUDIT]},
            )
            return overview(session, self.services, case) if allowed else None

        found = self.write(command)
        if found is None:
            raise NotFound(f"no case {ref}")
        return found
