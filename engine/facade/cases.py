"""Opening a case: need-to-know, and every look (allowed or refused) audited."""

from __future__ import annotations

from engine.cases import commands as case_commands
from engine.cases.overview import CaseOverview
from engine.facade.core import EngineCore


class CasesFacade(EngineCore):
    def view_case(self, ref: str, *, actor: str) -> CaseOverview:
        return self.run(case_commands.view_case, actor=actor, ref=ref)

    def close_case_as_mistake(self, ref: str, *, actor: str, reason: str) -> list[int]:
        """A case opened by mistake leaves inboxes and statistics, audited with its reason."""
        return self.run(case_commands.close_as_mistake, actor=actor, case_ref=ref, reason=reason)
