"""The engine facade: one method per command or query, one transaction per command.

Callers (CLI, web, scheduler) pass usernames; the facade resolves them to
actors inside the command's own transaction, so a deactivation takes effect
immediately. Lost optimistic-lock races are retried from a fresh read; a
retry that finds the work already done reports a :class:`ConflictError`.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError

from engine.audit import chain, queries
from engine.audit.actions import AuditAction
from engine.clock import Clock, SystemClock, ensure_utc
from engine.config import Settings
from engine.crypto.keyring import Keyring
from engine.db.database import Database
from engine.db.migrate import upgrade
from engine.definitions import deploy as deploying
from engine.definitions import repository
from engine.definitions.roles import configured_roles
from engine.definitions.sources import FormLookup, SourceFile, collect
from engine.definitions.specs import SpecLibrary
from engine.errors import ConflictError, NotFound, PermissionDenied
from engine.instances import commands as instance_commands
from engine.instances.store import StaleInstance
from engine.services import Services
from engine.tasks import commands as task_commands
from engine.tasks import queries as task_queries
from engine.timers import firing
from engine.timers import queries as timer_queries
from engine.users import service as users
from engine.users.actors import SYSTEM, Actor, resolve_actor
from engine.users.roles import COORDINATOR

log = logging.getLogger(__name__)
T = TypeVar("T")
MAX_ATTEMPTS = 3


class Engine:
    def __init__(
        self,
        settings: Settings | None = None,
        *,
        database: Database | None = None,
        keyring: Keyring | None = None,
        clock: Clock | None = None,
    ) -> None:
        self.settings = settings or Settings()
        self.db = database or Database(self.settings.database_url)
        self.keyring = keyring or Keyring.from_environment(
            self.settings.key_file, generate=self.settings.is_embedded_default
        )
        self.clock = clock or SystemClock()
        self.services = Services(self.keyring, self.clock, SpecLibrary())
        self.forms = FormLookup(self.settings.forms_dir)

    # -- plumbing ---------------------------------------------------------------------------

    def upgrade_database(self) -> None:
        upgrade(self.db)

    def close(self) -> None:
        self.db.dispose()

    def _write(self, command: Callable[..., T]) -> T:
        """Run a command in its own transaction, retrying lost optimistic-lock races."""
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.db.write() as session:
                    return command(session)
            except StaleInstance:
                log.info("optimistic lock lost, attempt %s of %s", attempt, MAX_ATTEMPTS)
        raise ConflictError("The case was changed by someone else at the same moment; try again.")

    def _as(self, session, username: str) -> Actor:
        return SYSTEM if username == SYSTEM.username else resolve_actor(session, username)

    # -- definitions ------------------------------------------------------------------------

    def deploy(
        self, paths: list[Path] | None = None, *, actor: str, change_note: str = ""
    ) -> list[deploying.DeployResult]:
        files = collect(paths or [self.settings.workflows_dir])
        return self.deploy_files(files, actor=actor, change_note=change_note)

    def deploy_files(
        self, files: list[SourceFile], *, actor: str, change_note: str = ""
    ) -> list[deploying.DeployResult]:
        def command(session):
            deployer = self._as(session, actor)
            if not (deployer.is_system or deployer.is_admin or COORDINATOR in deployer.roles):
                raise PermissionDenied("only coordinators and administrators may deploy pathways")
            return deploying.deploy(
                session,
                self.keyring,
                files,
                self.forms,
                actor=actor,
                now=self.clock.now(),
                change_note=change_note,
            )

        try:
            return self._write(command)
        except IntegrityError as err:
            raise ConflictError(
                "another deployment of the same pathway ran at the same time"
            ) from err

    def roles(self) -> list[str]:
        """Built-in roles and every lane role of the deployed pathways."""
        with self.db.read() as session:
            return configured_roles(session)

    def check_files(self, files: list[SourceFile]):
        with self.db.read() as session:
            return deploying.check(session, files, self.forms)

    def definitions(self) -> list[dict[str, Any]]:
        with self.db.read() as session:
            return [
                {
                    "process_key": d.process_key,
                    "kind": d.kind,
                    "version": d.version,
                    "name": d.name,
                    "file": d.file_name,
                    "deployed_by": d.deployed_by,
                    "deployed_at": d.deployed_at.isoformat(),
                    "content_hash": d.content_hash,
                }
                for d in repository.latest_all(session)
            ]

    # -- instances --------------------------------------------------------------------------

    def start(
        self,
        process_key: str,
        *,
        actor: str,
        case_ref: str | None = None,
        data: dict[str, Any] | None = None,
    ) -> instance_commands.Started:
        return self._write(
            lambda s: instance_commands.start_instance(
                s,
                self.services,
                process_key=process_key,
                actor=self._as(s, actor),
                case_ref=case_ref,
                data=data,
            )
        )

    def _status(self, instance_id: int, actor: str, action: AuditAction, reason: str) -> str:
        return self._write(
            lambda s: instance_commands.change_status(
                s,
                self.services,
                instance_id=instance_id,
                actor=self._as(s, actor),
                action=action,
                reason=reason,
            )
        )

    def suspend(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_SUSPENDED, reason)

    def resume(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_RESUMED, reason)

    def terminate(self, instance_id: int, *, actor: str, reason: str) -> str:
        return self._status(instance_id, actor, AuditAction.INSTANCE_TERMINATED, reason)

    # -- tasks ------------------------------------------------------------------------------

    def tasks_for(self, actor: str, *, case_ref: str | None = None) -> list[task_queries.TaskView]:
        with self.db.read() as session:
            return task_queries.visible_tasks(session, self._as(session, actor), case_ref=case_ref)

    def claim(self, task_id: str, *, actor: str):
        return self._write(
            lambda s: task_queries.view_of(
                s, task_commands.claim(s, self.services, task_id=task_id, actor=self._as(s, actor))
            )
        )

    def unclaim(self, task_id: str, *, actor: str):
        return self._write(
            lambda s: task_queries.view_of(
                s,
                task_commands.unclaim(s, self.services, task_id=task_id, actor=self._as(s, actor)),
            )
        )

    def complete_task(
        self, task_id: str, *, actor: str, answers: dict[str, Any]
    ) -> task_commands.Completed:
        return self._write(
            lambda s: task_commands.complete(
                s, self.services, task_id=task_id, actor=self._as(s, actor), answers=answers
            )
        )

    # -- timers -----------------------------------------------------------------------------

    def fire_due_timers(self, now: datetime | None = None) -> list[firing.FiredTimer]:
        """Fire every timer due at ``now`` (default: the engine clock), one transaction each."""
        moment = ensure_utc(now) if now is not None else self.clock.now()
        fired: list[firing.FiredTimer] = []
        with self.db.read() as session:
            due = firing.due_timer_ids(session, moment, limit=100_000)
        for timer_id in due:
            try:
                fired.extend(
                    self._write(
                        lambda s, t=timer_id: firing.fire_timer(s, self.services, t, moment)
                    )
                )
            except Exception as err:
                log.exception("timer %s failed", timer_id)
                with self.db.write() as session:
                    firing.record_failure(session, timer_id, f"{type(err).__name__}: {err}")
        return fired

    def timers(
        self, *, due_before: datetime | None = None, case_ref: str | None = None
    ) -> list[timer_queries.TimerView]:
        with self.db.read() as session:
            return timer_queries.upcoming(session, due_before=due_before, case_ref=case_ref)

    # -- audit ------------------------------------------------------------------------------

    def history(self, instance_id: int) -> list[queries.AuditEntry]:
        with self.db.read() as session:
            entries = queries.instance_history(session, instance_id)
        if not entries:
            raise NotFound(f"no history for process instance {instance_id}")
        return entries

    def verify_audit(self) -> chain.ChainReport:
        with self.db.read() as session:
            return chain.verify(session)

    # -- users ------------------------------------------------------------------------------

    def user_exists(self, username: str) -> bool:
        with self.db.read() as session:
            return users.find_user(session, username) is not None

    def add_user(
        self,
        username: str,
        *,
        roles: list[str],
        password: str | None = None,
        display_name: str = "",
        actor: str = SYSTEM.username,
    ) -> None:
        self._write(
            lambda s: users.add_user(
                s,
                self.services,
                username=username,
                roles=roles,
                password=password,
                display_name=display_name,
                actor=actor,
            )
        )

    def authenticate(self, username: str, password: str) -> users.LoginResult:
        return self._write(
            lambda s: users.authenticate(s, self.services, username=username, password=password)
        )
