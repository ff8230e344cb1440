"""The data keys: which key sealed what, rotation, and re-encryption, audited."""

from __future__ import annotations

from engine.crypto import commands as key_commands
from engine.crypto.rotation import ResealReport, key_usage, reseal_all
from engine.facade.core import EngineCore
from engine.users.actors import require_admin, require_unless_operator


class KeysFacade(EngineCore):
    def key_usage(self, *, actor: str = "system") -> dict[str, dict[str, int]]:
        """How many stored values each key sealed, per table (ids of keys, never keys)."""
        self._operator(actor, "see which keys sealed the data")
        return key_usage(self.db, self.keyring)

    def reseal(self, *, actor: str = "system") -> ResealReport:
        """Re-encrypt what is not under the active key (safe while the app runs: a row changed
        meanwhile is counted and left for the next run), then record it."""
        self._operator(actor, "re-encrypt stored data")
        report = reseal_all(self.db, self.keyring)
        self.run(key_commands.record_reseal, actor=actor, report=report)
        return report

    def record_key_rotation(self, *, actor: str = "system") -> None:
        self.run(key_commands.record_rotation, actor=actor)  # the command checks who

    def _operator(self, actor: str, doing: str) -> None:
        """Checked before work that runs outside any command (reading or re-encrypting every
        table); the records themselves check again in their command."""
        with self.read() as session:
            require_unless_operator(self._as(session, actor), require_admin, doing)
