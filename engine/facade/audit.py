"""Reading and verifying the audit trail (administrators only), and its signed checkpoints."""

from __future__ import annotations

import dataclasses
from pathlib import Path
from typing import Any

from engine.audit import chain, queries
from engine.audit.checkpoints import CheckpointLog
from engine.errors import NotFound
from engine.facade.core import EngineCore
from engine.users.actors import require_admin


class AuditFacade(EngineCore):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.audit_checkpoints = CheckpointLog(
            self.settings.audit_checkpoint_file,
            self.settings.audit_checkpoint_key_file,
            clock=self.clock,
            every=self.settings.audit_checkpoint_every,
            interval_s=self.settings.audit_checkpoint_interval_s,
        )
        self.db.after_write_commit(self.audit_checkpoints.after_commit)

    def history(self, instance_id: int, *, actor: str) -> list[queries.AuditEntry]:
        with self.read() as session:
            require_admin(self._as(session, actor), "read an instance's audit history")
            entries = queries.instance_history(session, instance_id)
        if not entries:
            raise NotFound(f"no history for process instance {instance_id}")
        return entries

    def verify_audit(self, *, actor: str, checkpoints: Path | None = None) -> chain.ChainReport:
        """Recompute the chain and compare it with the signed checkpoints outside the database.

        ``checkpoints`` names another copy of the checkpoint file (one kept off the machine);
        by default the configured file is read. When everything holds, the verified end of the
        chain is signed as a new checkpoint.
        """
        report = self.check_audit(actor=actor, checkpoints=checkpoints)
        signed_now = (
            report.ok
            and report.last_seq
            and report.last_hash
            and self.audit_checkpoints.write(report.last_seq, report.last_hash)
        )
        if signed_now and report.checkpoints is not None:
            signed = dataclasses.replace(report.checkpoints, signed_now=report.last_seq)
            report = dataclasses.replace(report, checkpoints=signed)
        return report

    def check_audit(self, *, actor: str, checkpoints: Path | None = None) -> chain.ChainReport:
        """:meth:`verify_audit` without signing (a recorded verification is signed anyway)."""
        signed = self.audit_checkpoints.load(checkpoints)  # before the chain: see CheckpointFile
        with self.read() as session:
            require_admin(self._as(session, actor), "verify the audit trail")
            report = chain.verify(session)
            against = signed.compare(session)
        return dataclasses.replace(
            report,
            ok=report.ok and against.ok,
            reason=report.reason or (against.problems[0] if against.problems else None),
            checkpoints=against,
        )
