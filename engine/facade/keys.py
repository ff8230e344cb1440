"""The data keys: which key sealed what, rotation, and re-encryption, audited."""

from __future__ import annotations

from engine.audit.actions import AuditAction
from engine.crypto.rotation import ResealReport, key_usage, reseal_all
from engine.facade.core import EngineCore
from engine.users.actors import require_admin


class KeysFacade(EngineCore):
    def key_usage(self, *, actor: str = "system") -> dict[str, dict[str, int]]:
        """How many stored values each key sealed, per table (ids of keys, never keys)."""
        self._operator(actor, "see which keys sealed the data")
        return key_usage(self.db, self.keyring)

    def reseal(self, *, actor: str = "system") -> ResealReport:
        """Re-encrypt what is not under the active key (safe while the app runs: a row changed
        meanwhile is counted and left for the next run), then record who did it and what moved:
        a change to every stored case is an event of the trail like any other."""
        self._operator(actor, "re-encrypt stored data")
        report = reseal_all(self.db, self.keyring)
        self.write(
            lambda s: self.record(
                s,
                actor,
                AuditAction.DATA_RESEALED,
                key=self.keyring.active_key_id,
                resealed=report.resealed,
                changed_meanwhile=report.changed_meanwhile,
                audit_payloads_on_old_keys=report.audit_payloads_on_old_keys,
            )
        )
        return report

    def record_key_rotation(self, *, actor: str = "system") -> None:
        """A new key was put first in the key file (by the operator, outside the database)."""
        self._operator(actor, "rotate data keys")
        self.write(
            lambda s: self.record(s, actor, AuditAction.KEY_ROTATED, key=self.keyring.active_key_id)
        )

    def _operator(self, actor: str, doing: str) -> None:
        """The operator's command line (``system``) or an administrator."""
        with self.read() as session:
            person = self._as(session, actor)
            if not person.is_system:
                require_admin(person, doing)
