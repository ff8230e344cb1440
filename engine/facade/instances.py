"""Starting pathways and changing an instance's status."""

from __future__ import annotations

from typing import Any

from engine.audit.actions import AuditAction
from engine.definitions import repository
from engine.facade.core import EngineCore
from engine.instances import access as instance_access
from engine.instances import commands as instance_commands


class InstancesFacade(EngineCore):
    def start(
        self,
        process_key: str,
        *,
        actor: str,
        case_ref: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> instance_commands.Started:
        return self.run(
            instance_commands.start_instance,
            actor=actor,
            process_key=process_key,
            case_ref=case_ref,
            data=data,
        )

    def may_start(self, process_key: str, *, actor: str) -> bool:
        """Whether ``start`` would let this person begin the pathway (to offer the button)."""
        with self.read() as session:
            root = repository.latest(session, process_key, "bpmn")
            if root is None:
                return False
            spec = self.services.specs.spec(session, root.id, repository.pin_latest(session, root))
            return instance_access.may_start(self._as(session, actor), spec)

    def _status(self, instance_id: int, actor: str, action: AuditAction, reason: str) -> str:
        return self.run(
            instance_commands.change_status,
            actor=actor,
            instance_id=instance_id,
            action=action,
            reason=reason,
        )

    def suspend(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_SUSPENDED, reason)

    def resume(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_RESUMED, reason)

    def terminate(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_TERMINATED, reason)
