"""Reading and verifying the audit trail."""

from __future__ import annotations

from engine.audit import chain, queries
from engine.errors import NotFound
from engine.facade.core import EngineCore


class AuditFacade(EngineCore):
    def history(self, instance_id: int) -> list[queries.AuditEntry]:
        with self.db.read() as session:
            entries = queries.instance_history(session, instance_id)
        if not entries:
            raise NotFound(f"no history for process instance {instance_id}")
        return entries

    def verify_audit(self) -> chain.ChainReport:
        with self.db.read() as session:
            return chain.verify(session)
