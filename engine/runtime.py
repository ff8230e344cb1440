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

from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session

from engine.audit import chain, queries
from engine.audit.actions import AuditAction
from engine.clock import Clock, SystemClock, ensure_utc
from engine.config import Settings
from engine.crypto.keyring import Keyring
from engine.db.database import Database
from engine.db.migrate import is_up_to_date, upgrade
from engine.definitions import deploy as deploying
from engine.definitions import repository
from engine.definitions.roles import configured_roles
from engine.definitions.sources import FormLookup, SourceFile, collect
from engine.definitions.specs import SpecLibrary
from engine.errors import ConflictError, InvalidRequest, NotFound, PermissionDenied
from engine.incidents import service as incident_service
from engine.instances import commands as instance_commands
from engine.instances.store import StaleInstance
from engine.services import Services
from engine.tasks import commands as task_commands
from engine.tasks import queries as task_queries
from engine.timers import claims, firing
from engine.timers import queries as timer_queries
from engine.timers.calendar import BusinessCalendar
from engine.timers.projection import SESSION_DUES
from engine.timers.sweeper import Sweeper, SweepPolicy, SweepResult
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
        self.services = Services(
            self.keyring,
            self.clock,
            SpecLibrary(),
            BusinessCalendar.from_file(self.settings.calendar_file),
        )
        self.forms = FormLookup(self.settings.forms_dir)
        self._timer_listeners: list[Callable[[datetime], None]] = []

    # -- plumbing ---------------------------------------------------------------------------

    def upgrade_database(self) -> None:
        upgrade(self.db)

    def require_current_schema(self) -> None:
        """A clear refusal instead of SQL errors when migrations have not been run."""
        try:
            current = is_up_to_date(self.db)
        except OperationalError:
            current = False
        if not current:
            raise InvalidRequest("the database schema is not up to date: run `pathways db upgrade`")

    def close(self) -> None:
        self.db.dispose()

    def write(self, command: Callable[[Session], T]) -> T:
        """Run a command in its own transaction, retrying lost optimistic-lock races.

        After commit, listeners hear about timers the command created or moved.
        """
        for attempt in range(1, MAX_ATTEMPTS + 1):
            try:
                with self.db.write() as session:
                    result = command(session)
                    dues = session.info.pop(SESSION_DUES, None)
            except StaleInstance:
                log.info("optimistic lock lost, attempt %s of %s", attempt, MAX_ATTEMPTS)
                continue
            if dues:
                for listener in list(self._timer_listeners):
                    listener(min(dues))
            return result
        raise ConflictError("The case was changed by someone else at the same moment; try again.")

    def add_timer_listener(self, listener: Callable[[datetime], None]) -> None:
        self._timer_listeners.append(listener)

    def remove_timer_listener(self, listener: Callable[[datetime], None]) -> None:
        if listener in self._timer_listeners:
            self._timer_listeners.remove(listener)

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
            return self.write(command)
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
        return self.write(
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
        return self.write(
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
        return self.write(
            lambda s: task_queries.view_of(
                s, task_commands.claim(s, self.services, task_id=task_id, actor=self._as(s, actor))
            )
        )

    def unclaim(self, task_id: str, *, actor: str):
        return self.write(
            lambda s: task_queries.view_of(
                s,
                task_commands.unclaim(s, self.services, task_id=task_id, actor=self._as(s, actor)),
            )
        )

    def complete_task(
        self, task_id: str, *, actor: str, answers: dict[str, Any]
    ) -> task_commands.Completed:
        return self.write(
            lambda s: task_commands.complete(
                s, self.services, task_id=task_id, actor=self._as(s, actor), answers=answers
            )
        )

    # -- timers -----------------------------------------------------------------------------

    def fire_due_timers(self, now: datetime | None = None) -> list[firing.FiredTimer]:
        """Fire every timer due at ``now`` (default: the engine clock), one transaction each.

        Failures are retried with back-off by later sweeps and then become incidents.
        """
        return self.sweep_timers(now).fired

    def sweep_timers(
        self, now: datetime | None = None, *, policy: SweepPolicy | None = None
    ) -> SweepResult:
        moment = ensure_utc(now) if now is not None else None
        return Sweeper(self.write, self.services, policy=policy).sweep(moment)

    def next_timer_due(self) -> datetime | None:
        with self.db.read() as session:
            return claims.next_claimable_at(session)

    def incidents(self, *, include_resolved: bool = False) -> list[incident_service.IncidentView]:
        with self.db.read() as session:
            return incident_service.listing(session, include_resolved=include_resolved)

    def retry_incident(self, incident_id: int, *, actor: str, reason: str) -> None:
        self.write(
            lambda s: incident_service.retry(
                s, self.services, incident_id=incident_id, actor=self._as(s, actor), reason=reason
            )
        )

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
        self.write(
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
        return self.write(
            lambda s: users.authenticate(s, self.services, username=username, password=password)
        )
