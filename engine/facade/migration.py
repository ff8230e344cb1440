"""Moving running cases to a newer version of their pathway: plan, then migrate."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engine.errors import ConflictError
from engine.facade.core import EngineCore
from engine.instances import migration
from engine.instances.migration import MigrationRefused, PlanLine
from engine.users.actors import require_coordinator, require_unless_operator, required_reason


@dataclass
class MigrationOutcome:
    """Each instance moved or refused on its own; a refused one is exactly as it was."""

    migrated: list[int] = field(default_factory=list)
    refused: list[PlanLine] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "migrated": list(self.migrated),
            "refused": [
                {"instance_id": line.instance_id, "problems": list(line.problems)}
                for line in self.refused
            ],
        }


class MigrationFacade(EngineCore):
    def migrations_waiting(self, *, actor: str) -> list[migration.Waiting]:
        """Pathways with cases on older versions (coordinators and administrators)."""
        with self.read() as session:
            migration.require_may_migrate(self._as(session, actor))
            return migration.waiting(session)

    def migration_plan(
        self, process_key: str, to_version: int, *, actor: str, from_version: int | None = None
    ) -> list[PlanLine]:
        """Coordinators and administrators (and the operator's command line, as ``system``):
        which older instances could move, and why not. It names cases, never their data."""
        with self.read() as session:
            require_unless_operator(
                self._as(session, actor), require_coordinator, migration.MIGRATE
            )
            return migration.plan(
                session, self.services, process_key, to_version, from_version=from_version
            )

    def migrate(
        self,
        process_key: str,
        to_version: int,
        *,
        actor: str,
        reason: str,
        instance_ids: list[int] | None = None,
        from_version: int | None = None,
    ) -> MigrationOutcome:
        """Every movable instance (or those named), each in a transaction of its own: a case
        changed meanwhile is read again and judged again; one that cannot move is refused."""
        with self.read() as session:
            migration.require_may_migrate(self._as(session, actor))
            required_reason(reason)
            target = migration.target_version(session, process_key, to_version)
            found = [row.id for row, _, _ in migration.candidates(session, target, from_version)]
        wanted = found if instance_ids is None else [i for i in instance_ids if i in found]
        outcome = MigrationOutcome()
        for instance_id in instance_ids or []:
            if instance_id not in found:
                outcome.refused.append(
                    PlanLine(
                        instance_id,
                        "",
                        0,
                        to_version,
                        [f"it is not a running instance of {process_key} on an older version"],
                    )
                )
        for instance_id in wanted:
            try:
                self.run(
                    migration.migrate_instance,
                    actor=actor,
                    instance_id=instance_id,
                    process_key=process_key,
                    to_version=to_version,
                    reason=reason,
                )
            except MigrationRefused as refused:
                outcome.refused.append(refused.line)
            except ConflictError as err:
                outcome.refused.append(PlanLine(instance_id, "", 0, to_version, [err.message]))
            else:
                outcome.migrated.append(instance_id)
        return outcome
