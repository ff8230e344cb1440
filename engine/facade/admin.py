"""The administrator console's operations: oversight reads (each audited) and user management."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import select

from engine.audit import chain, queries, search
from engine.audit import commands as audit_commands
from engine.audit.actions import AuditAction
from engine.audit.models import AuditEvent
from engine.cases.dashboard import Dashboard, dashboard
from engine.definitions.repository import Pinned
from engine.facade.core import EngineCore
from engine.instances import commands as instance_commands
from engine.instances.inspect import InstanceLine, InstanceMap, list_instances
from engine.instances.models import ProcessInstance
from engine.timers.commands import move_timer
from engine.users import admin as user_admin
from engine.users.actors import require_admin, require_coordinator


class AdminFacade(EngineCore):
    def dashboard(self, *, actor: str) -> Dashboard:
        with self.read() as session:
            require_coordinator(self._as(session, actor), "see the dashboard")
            return dashboard(session, self.clock.now())

    def instance_map(self, instance_id: int, *, actor: str) -> InstanceMap:
        return self.run(instance_commands.view_history, actor=actor, instance_id=instance_id)

    def instances(
        self, *, actor: str, case_ref: str | None = None, status: str | None = None
    ) -> list[InstanceLine]:
        with self.read() as session:
            require_admin(self._as(session, actor), "list instances")
            return list_instances(session, case_ref=case_ref, status=status)

    def verify_and_record(self, *, actor: str) -> chain.ChainReport:
        """Check the whole chain against its signed checkpoints, and write the outcome into
        the chain itself.

        The console shows the last recorded check instead of re-reading millions of
        rows on every page view; the record is an event like any other, so a
        forged "all verified" would itself break the chain.
        """
        report = self.check_audit(actor=actor)  # recording an ok check signs a checkpoint
        self.run(audit_commands.record_verification, actor=actor, report=report)
        return report

    def last_verification(self, *, actor: str) -> tuple[datetime, dict[str, Any]] | None:
        with self.read() as session:
            require_admin(self._as(session, actor), "read the audit trail")
            event = session.scalars(
                select(AuditEvent)
                .where(AuditEvent.action == AuditAction.CHAIN_VERIFIED.value)
                .order_by(AuditEvent.seq.desc())
                .limit(1)
            ).first()
            if event is None:
                return None
            return event.occurred_at, json.loads(event.detail_json or "{}")

    def audit_search(
        self, filters: search.AuditFilters, *, actor: str, before_seq: int | None = None
    ):
        with self.read() as session:
            require_admin(self._as(session, actor), "search the audit trail")
            return search.search(session, filters, before_seq=before_seq)

    def audit_csv(self, filters: search.AuditFilters, *, actor: str) -> Iterator[str]:
        """The export is itself audited before the first byte leaves."""
        self.run(audit_commands.record_export, actor=actor, filters=filters)
        return self._csv_lines(filters)

    def _csv_lines(self, filters: search.AuditFilters) -> Iterator[str]:
        """Streamed in a read of its own, after the export was recorded."""
        with self.read() as session:
            yield from search.csv_lines(session, filters)

    def event_data(
        self, seq: int, *, actor: str
    ) -> tuple[queries.AuditEntry, dict[str, Any] | None]:
        """The encrypted answers or facts behind one audit event; opening them is audited."""
        return self.run(audit_commands.open_event_data, actor=actor, seq=seq)

    def event_form(self, entry: queries.AuditEntry, *, actor: str) -> dict[str, Any] | None:
        """The form an answered step used, from the versions its instance runs, so the data
        page can show questions and option titles instead of field names and codes."""
        form = entry.detail.get("form")
        if not form or entry.instance_id is None:
            return None
        with self.read() as session:
            require_admin(self._as(session, actor), "open audit event data")
            row = session.get(ProcessInstance, entry.instance_id)
            if row is None:
                return None
            for definition_id in Pinned.from_json(row.pinned_json).processes.values():
                schema = self.services.specs.forms(session, definition_id).get(form)
                if schema is not None:
                    return schema
        return None

    def move_timer(self, timer_id: str, *, actor: str, due_at: datetime, reason: str) -> None:
        self.run(move_timer, actor=actor, timer_id=timer_id, due_at=due_at, reason=reason)

    def users(self, *, actor: str) -> list[user_admin.UserView]:
        with self.read() as session:
            require_admin(self._as(session, actor), "list users")
            return user_admin.list_users(session)

    def set_roles(self, username: str, roles: list[str], *, actor: str) -> None:
        self.run(user_admin.set_roles, actor=actor, username=username, roles=roles)

    def set_active(self, username: str, active: bool, *, actor: str) -> None:
        self.run(user_admin.set_active, actor=actor, username=username, active=active)

    def reset_password(self, username: str, temporary: str, *, actor: str) -> None:
        self.run(user_admin.reset_password, actor=actor, username=username, temporary=temporary)

    def change_password(self, *, actor: str, current: str, new: str) -> None:
        self.run(user_admin.change_password, actor=actor, current=current, new=new)

    def add_case_member(self, case_ref: str, username: str, *, actor: str, reason: str) -> None:
        self.run(
            user_admin.add_member, actor=actor, case_ref=case_ref, username=username, reason=reason
        )

    def remove_case_member(self, case_ref: str, username: str, *, actor: str) -> None:
        self.run(user_admin.remove_member, actor=actor, case_ref=case_ref, username=username)
