"""Construction and the transaction discipline every operation shares."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from engine.audit import trail
from engine.audit.actions import AuditAction
from engine.clock import Clock, SystemClock
from engine.config import Settings
from engine.crypto.keyring import Keyring
from engine.db.database import Database
from engine.db.migrate import current_revision, is_up_to_date, upgrade
from engine.definitions.specs import SpecLibrary
from engine.errors import (
    ConflictError,
    EngineError,
    InvalidRequest,
    RefusalNote,
    StorageUnavailable,
)
from engine.instances.cache import WorkflowCache
from engine.instances.store import SESSION_SAVED, StaleInstance
from engine.services import Services
from engine.timers.calendar import BusinessCalendar
from engine.timers.projection import SESSION_DUES
from engine.users.actors import SYSTEM, Actor, resolve_actor

log = logging.getLogger("engine")
T = TypeVar("T")
MAX_ATTEMPTS = 3


def _transient(err: OperationalError) -> bool:
    """A deadlock or serialization failure (SQLSTATE 40xxx) or a busy SQLite file: try again."""
    sqlstate = getattr(err.orig, "sqlstate", None) or ""
    return sqlstate.startswith("40") or "database is locked" in str(err.orig)


class EngineCore:
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
            WorkflowCache(self.settings.workflow_cache_bytes),
        )
        self._timer_listeners: list[Callable[[datetime], None]] = []

    def upgrade_database(self) -> tuple[str | None, str | None]:
        """Migrate to the latest schema; the revisions before and after (None: no schema)."""
        try:
            before = current_revision(self.db)
        except OperationalError:
            before = None
        upgrade(self.db)
        return before, current_revision(self.db)

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
                    saved = session.info.pop(SESSION_SAVED, None)
            except StaleInstance:
                log.info("optimistic lock lost, attempt %s of %s", attempt, MAX_ATTEMPTS)
                continue
            except EngineError as err:
                if err.audit is not None:
                    self._record_refusal(err.audit)
                raise
            except OperationalError as err:
                if _transient(err) and attempt < MAX_ATTEMPTS:
                    log.info("transient database refusal, attempt %s: %s", attempt, err.orig)
                    continue
                log.error("the database refused a write: %s", err)
                raise StorageUnavailable(
                    "The database could not save this (it may be read-only, full or unreachable)."
                    " Nothing was changed; try again later or tell an administrator."
                ) from err
            # Committed: the workflows just saved are current at their new versions.
            for row, sealed, kept, size in (saved or {}).values():
                self.services.workflows.put(row.id, row.version, sealed, kept, size)
            if dues:
                for listener in list(self._timer_listeners):
                    listener(min(dues))
            return result
        raise ConflictError("The case was changed by someone else at the same moment; try again.")

    def _record_refusal(self, note: RefusalNote) -> None:
        """The refused command rolled back; its audit event gets a transaction of its own."""
        try:
            with self.db.write() as session:
                trail.record(
                    session,
                    self.services,
                    note.actor,
                    AuditAction(note.action),
                    context=trail.AuditContext(case_ref=note.case_ref),
                    detail=note.detail,
                )
        except OperationalError as err:  # the refusal itself still reaches the caller
            log.error("could not record a refusal in the audit trail: %s", err)

    @contextmanager
    def read(self) -> Iterator[Session]:
        with self.db.read() as session:
            yield session

    def add_timer_listener(self, listener: Callable[[datetime], None]) -> None:
        self._timer_listeners.append(listener)

    def remove_timer_listener(self, listener: Callable[[datetime], None]) -> None:
        if listener in self._timer_listeners:
            self._timer_listeners.remove(listener)

    def run(self, command: Callable[..., T], /, **arguments: Any) -> T:
        """A named command (``engine/<concept>/commands.py``) in a transaction of its own.

        Commands take ``(session, services, **arguments)``; an ``actor`` given here as a
        username reaches the command as the person, resolved (and refused when inactive)
        inside that same transaction.
        """

        def in_transaction(session: Session) -> T:
            if "actor" in arguments:
                return command(
                    session,
                    self.services,
                    **{**arguments, "actor": self._as(session, arguments["actor"])},
                )
            return command(session, self.services, **arguments)

        return self.write(in_transaction)

    def _as(self, session: Session, username: str) -> Actor:
        return SYSTEM if username == SYSTEM.username else resolve_actor(session, username)
