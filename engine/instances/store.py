"""Loading and saving one instance: decrypt, deserialize, and on save write state and projections.

``save`` is where the optimistic lock bites: the ORM issues ``UPDATE
process_instance ... WHERE version = <read>`` and raises if another writer got
there first; :class:`StaleInstance` then unwinds the whole transaction.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow
from sqlalchemy import Select, Update, and_, bindparam, func, insert, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from engine.audit import chain, trail
from engine.audit.actions import AuditAction
from engine.db.database import hold, writes_alone
from engine.definitions.repository import Pinned
from engine.errors import NotFound
from engine.instances.cache import Kept
from engine.instances.facts import (
    FactsWrite,
    facts_from_row,
    facts_write,
)
from engine.instances.models import (
    CaseFactsRow,
    InstanceState,
    InstanceStatus,
    ProcessInstance,
    ProtectionCase,
)
from engine.scripting.case_facts import CaseFacts
from engine.services import Services
from engine.spiff import serialization, stepping
from engine.tasks.models import HumanTask, TaskDraft
from engine.tasks.projection import COMPLETE_TASK, CompletionWrite, OpenTasks, sync_human_tasks
from engine.timers.models import TimerStatus
from engine.timers.projection import WaitingTimers, sync_timers
from engine.users.actors import ACTOR_COLUMNS
from engine.users.models import User, UserRole


@dataclass(frozen=True)
class Projection:
    tasks: OpenTasks
    timers: WaitingTimers

    @classmethod
    def nothing_yet(cls) -> Projection:
        """A new instance's: no rows written for it so far."""
        return cls(OpenTasks([], {}, {}), WaitingTimers({}, TimerStatus.WAITING))


class StaleInstance(Exception):
    """Another transaction changed the instance after we read it."""


# Workflows saved by the running transaction, to keep in the worker's cache after its commit.
SESSION_SAVED = "pathways_saved_workflows"


def state_associated_data(instance_id: int) -> bytes:
    return f"instance_state:{instance_id}".encode()


@dataclass
class LoadedInstance:
    row: ProcessInstance
    case: ProtectionCase
    workflow: BpmnWorkflow
    pinned: Pinned
    facts: CaseFacts
    # What the projection rows hold for this state, when known without reading them (the
    # worker's cache kept it, or this transaction saved it).
    known: Projection | None = None
    # False for an instance being started: its first save inserts the state row.
    state_stored: bool = True

    @property
    def open_task_ids(self) -> list[str]:
        """After a save: the instance's open user tasks, in inbox order."""
        return self.known.tasks.ids if self.known is not None else []

    def step(self, services: Services) -> stepping.StepContext:
        """The context pathway code runs in for this instance's next step."""
        return stepping.StepContext(services.clock, services.calendar, self.facts)


_INSTANCE_ROWS = (
    select(ProcessInstance, InstanceState, ProtectionCase, CaseFactsRow)
    .join(ProtectionCase, ProtectionCase.id == ProcessInstance.case_id)
    .outerjoin(InstanceState, InstanceState.instance_id == ProcessInstance.id)
    .outerjoin(CaseFactsRow, CaseFactsRow.case_id == ProcessInstance.case_id)
)


_TASK_ROWS = (
    _INSTANCE_ROWS.add_columns(
        HumanTask, select(TaskDraft.task_id).where(TaskDraft.task_id == HumanTask.id).exists()
    )
    .join(HumanTask, HumanTask.instance_id == ProcessInstance.id)
    .where(HumanTask.id == bindparam("key"))
)
_INSTANCE_BY_ID = _INSTANCE_ROWS.where(ProcessInstance.id == bindparam("key"))


def _with_person(rows: Select) -> Select:
    """``rows`` with the person completing the task (one row per role, ``ACTOR_COLUMNS``
    last): a completion's first statement is then also the check of who acts
    (``tasks.commands.complete_as``)."""
    return (
        rows.add_columns(*ACTOR_COLUMNS)
        .join(User, User.username == bindparam("user"))
        .outerjoin(UserRole, UserRole.user_id == User.id)
    )


_TASK_ROWS_AS = _with_person(_TASK_ROWS)
# And, where the transaction writes alone (SQLite), the audit head's place: the statement
# that would read it before the first event is then not needed.
_TASK_ROWS_AS_AT_HEAD = _with_person(_TASK_ROWS.add_columns(*chain.head_columns()))


@dataclass(frozen=True)
class TaskRows:
    """A user task's row with everything completing it reads, from one statement."""

    task: HumanTask
    instance: tuple[ProcessInstance, InstanceState | None, ProtectionCase, CaseFactsRow | None]
    has_drafts: bool
    # Rows ending in ``ACTOR_COLUMNS``, when read with the person acting (``as_user``).
    actor_rows: Sequence[Sequence[Any]] = ()


def read_for_task(session: Session, task_id: str, *, as_user: str | None = None) -> TaskRows | None:
    """The task, its instance with state, case and facts, and whether anyone keeps a draft of
    it; with ``as_user``, that person's rows too (None when the task or the person is not
    there). Holding the result keeps the rows in the session, so the access check's
    ``session.get`` and :func:`load` find them without another statement."""
    at_head = as_user is not None and writes_alone(session)
    if as_user is None:
        rows = session.execute(_TASK_ROWS, {"key": task_id}).all()
    else:
        statement = _TASK_ROWS_AS_AT_HEAD if at_head else _TASK_ROWS_AS
        rows = session.execute(statement, {"key": task_id, "user": as_user}).all()
    if not rows:
        return None
    *instance, task, has_drafts = rows[0][:6]
    if at_head:
        chain.took_head(session, *rows[0][6:8])
    return TaskRows(task, tuple(instance), bool(has_drafts), rows if as_user else ())


def load(
    session: Session,
    services: Services,
    instance_id: int,
    *,
    for_change: bool = True,
    read: TaskRows | None = None,
) -> LoadedInstance:
    """The instance, its state, its case and the case's facts, read in one statement (none
    when ``read`` already holds them).

    A command that may change the instance (``for_change``) takes the workflow from the
    worker's cache when it holds this very version (see ``engine/instances/cache.py``);
    reads leave the cache alone and deserialize their own copy.
    """
    if read is not None and read.instance[0].id == instance_id:
        found = read.instance
    else:
        found = session.execute(_INSTANCE_BY_ID, {"key": instance_id}).first()
    if found is None:
        raise NotFound(f"no process instance {instance_id}")
    row, state, case, facts_row = found
    if state is None:
        raise NotFound(f"process instance {instance_id} has no stored state")
    pinned = Pinned.from_json(row.pinned_json)
    sealed = bytes(state.ciphertext)
    kept = services.workflows.take(row.id, row.version, sealed) if for_change else None
    workflow = kept.workflow if kept is not None else None
    if workflow is None:
        plain = services.keyring.open(sealed, state_associated_data(instance_id))
        specs = services.specs.specs_for(session, pinned, row.process_key)
        workflow = serialization.load(plain, specs, version=state.serializer_version)
    hold(session, state, facts_row)  # the save writes both: not read a second time
    return LoadedInstance(
        row,
        case,
        workflow,
        pinned,
        facts_from_row(services.keyring, facts_row),
        known=kept.projection if kept is not None else None,
    )


def save(
    session: Session,
    services: Services,
    loaded: LoadedInstance,
    now: datetime,
    *,
    completing: CompletionWrite | None = None,
    audit: bool = False,
) -> None:
    """Write state, status and projections; raises :class:`StaleInstance` on a lost race.

    ``completing`` is the completed task's row, written with the state. ``audit`` says that
    events follow: on PostgreSQL the audit head is then locked by the save's own statement.
    """
    row, workflow = loaded.row, loaded.workflow
    plain, size = serialization.dump_sized(workflow)
    sealed = services.keyring.seal(plain, state_associated_data(row.id))
    saved = session.info.setdefault(SESSION_SAVED, {})
    ended = row.status == InstanceStatus.RUNNING and workflow.is_completed()
    changes = {"updated_at": now}
    if ended:
        changes.update(status=InstanceStatus.COMPLETED, ended_at=now)
    facts = facts_write(session, services.keyring, loaded.case.id, loaded.facts, now)
    if loaded.state_stored and session.get_bind().dialect.name == "postgresql":
        lock_head = audit and not chain.holds_head(session)
        _write_together(
            session,
            loaded,
            sealed,
            changes,
            facts=facts,
            completing=completing,
            lock_head=lock_head,
        )
    else:
        if completing is not None:
            completing.run(session)
        _write_row(session, row, **changes)
        _write_state(session, loaded, sealed)
        if facts is not None and not facts.run(session):
            raise StaleInstance(_FACTS_STALE)
    known = loaded.known
    loaded.known = Projection(
        sync_human_tasks(session, row, workflow, now, known.tasks if known else None),
        sync_timers(session, row, workflow, now, known.timers if known else None),
    )
    # The last save of an instance in this transaction is what its commit makes current.
    saved[row.id] = (row, sealed, Kept(workflow, loaded.known), size)
    session.flush()


# The instance's own writes are plain statements built once: a save is the hot path of every
# step, and the ORM's unit of work costs more here than the statements themselves.
_INSTANCES = ProcessInstance.__table__
_STATES = InstanceState.__table__
_WRITE_STATE = (
    update(_STATES)
    .where(_STATES.c.instance_id == bindparam("key"))
    .values(ciphertext=bindparam("sealed"), serializer_version=bindparam("serializer"))
)
_INSERT_STATE = insert(_STATES)


# What a command may change on an instance's row; written whole at every save. No parameter
# of these statements is named like a column: SQLAlchemy adds such a parameter to the SET of
# every UPDATE in a statement, the ``WITH`` parts of :func:`_together` included.
_MUTABLE = ("status", "ended_at", "updated_at", "definition_id", "pinned_json")
_WRITE_ROW = (
    update(_INSTANCES)
    .where(_INSTANCES.c.id == bindparam("key"), _INSTANCES.c.version == bindparam("read"))
    .values(version=bindparam("written"), **{name: bindparam(f"new_{name}") for name in _MUTABLE})
)


def _row_params(row: ProcessInstance, changes: dict[str, Any]) -> dict[str, Any]:
    values = {f"new_{name}": changes.get(name, getattr(row, name)) for name in _MUTABLE}
    return {"key": row.id, "read": row.version, "written": row.version + 1, **values}


def _row_written(row: ProcessInstance, params: dict[str, Any]) -> None:
    for name in _MUTABLE:
        set_committed_value(row, name, params[f"new_{name}"])
    set_committed_value(row, "version", params["written"])


def _stale_row(row: ProcessInstance, params: dict[str, Any]) -> StaleInstance:
    return StaleInstance(f"process instance {row.id} changed after version {params['read']}")


_FACTS_STALE = "the case's facts changed meanwhile"


def _write_row(session: Session, row: ProcessInstance, **changes: Any) -> None:
    """``UPDATE process_instance ... WHERE version = <read>``, always, even when only the time
    changed: that is the optimistic lock. What the command changed on the row object (status,
    end) goes out in the same statement with ``changes``, and the object is told it is written.
    """
    params = _row_params(row, changes)
    if session.connection().execute(_WRITE_ROW, params).rowcount != 1:
        raise _stale_row(row, params)
    _row_written(row, params)


def _state_params(instance_id: int, sealed: bytes) -> dict[str, Any]:
    version = serialization.SERIALIZER_VERSION
    return {"key": instance_id, "sealed": sealed, "serializer": version}


def _state_written(session: Session, instance_id: int, sealed: bytes) -> None:
    """A state row object the session holds is told its new bytes, so a later load in this
    transaction does not see the old ones."""
    held = session.identity_map.get(identity_key(InstanceState, instance_id))
    if held is not None:
        set_committed_value(held, "ciphertext", sealed)
        set_committed_value(held, "serializer_version", serialization.SERIALIZER_VERSION)


@functools.cache
def _together(facts: Update | None, completing: bool, lock_head: bool) -> Select:
    """The row, the state, the facts and the completed task written by one statement
    (PostgreSQL's data-modifying ``WITH``), answering how many rows the version checks
    matched, and, with ``lock_head``, the audit head locked after them: one round trip where
    there were up to five. Every part runs whatever the others match; a mismatch raises,
    and the transaction's rollback undoes them all. Built once per shape."""
    row = _WRITE_ROW.returning(_INSTANCES.c.id).cte("row_written")
    parts = [row, _WRITE_STATE.returning(_STATES.c.instance_id).cte("state_written")]
    if facts is not None:
        parts.append(facts.returning(facts.table.c.case_id).cte("facts_written"))
    if completing:
        parts.append(COMPLETE_TASK.returning(COMPLETE_TASK.table.c.id).cte("task_done"))
    counts = {part.name: select(func.count()).select_from(part).scalar_subquery() for part in parts}
    matched = [counts[name] for name in ("row_written", "facts_written") if name in counts]
    if not lock_head:
        return select(*matched).add_cte(parts[1])
    head = chain.head_lock_after(and_(*(count >= 0 for count in counts.values())))
    return select(*matched, head.c.last_seq, head.c.last_hash).select_from(head)


def _write_together(
    session: Session,
    loaded: LoadedInstance,
    sealed: bytes,
    changes: dict[str, Any],
    *,
    facts: FactsWrite | None,
    completing: CompletionWrite | None,
    lock_head: bool,
) -> None:
    row = loaded.row
    params = {**_row_params(row, changes), **_state_params(row.id, sealed)}
    statement = _together(facts.statement if facts else None, completing is not None, lock_head)
    for part in (facts, completing):
        if part is not None:
            params.update(part.params)
    answer = list(session.connection().execute(statement, params).one())
    head = answer[-2:] if lock_head else None
    row_matched = answer.pop(0)
    if row_matched != 1:
        raise _stale_row(row, params)
    if facts is not None and answer.pop(0) != 1:
        raise StaleInstance(_FACTS_STALE)
    _row_written(row, params)
    _state_written(session, row.id, sealed)
    if facts is not None:
        facts.done()
    if completing is not None:
        completing.done()
    if head is not None:
        chain.took_head(session, *head)


def _write_state(session: Session, loaded: LoadedInstance, sealed: bytes) -> None:
    """The sealed state (inserted on an instance's first save)."""
    instance_id = loaded.row.id
    if not loaded.state_stored:
        session.connection().execute(
            _INSERT_STATE,
            {
                "instance_id": instance_id,
                "ciphertext": sealed,
                "serializer_version": serialization.SERIALIZER_VERSION,
            },
        )
        loaded.state_stored = True
        return
    session.connection().execute(_WRITE_STATE, _state_params(instance_id, sealed))
    _state_written(session, instance_id, sealed)


def context_for(
    session: Session, services: Services, row: ProcessInstance, case: ProtectionCase
) -> trail.AuditContext:
    """Audit context naming the case, instance and the pathway version in force."""
    definition = services.specs.definition(session, row.definition_id)
    return trail.AuditContext(
        case_ref=case.ref,
        instance_id=row.id,
        process_key=row.process_key,
        definition_version=definition.version,
    )


@dataclass(frozen=True)
class Happened:
    """One audit event a command records about its instance."""

    action: AuditAction
    task_id: str | None = None
    detail: dict[str, Any] = field(default_factory=dict)
    payload: dict[str, Any] | None = None


def save_and_record(
    session: Session,
    services: Services,
    loaded: LoadedInstance,
    now: datetime,
    *,
    actor: str,
    events: Iterable[Happened],
    completing: CompletionWrite | None = None,
) -> None:
    """Save, then audit what happened, plus the instance's completion if this step ended it."""
    was_completed = loaded.row.status == InstanceStatus.COMPLETED
    changed_facts = dict(loaded.facts.changed)
    save(session, services, loaded, now, completing=completing, audit=True)
    context = context_for(session, services, loaded.row, loaded.case)
    after: list[Happened] = []
    if changed_facts:
        after.append(
            Happened(
                AuditAction.CASE_FACTS_CHANGED,
                detail={"facts": sorted(changed_facts)},
                payload={"facts": changed_facts},
            )
        )
    if not was_completed and loaded.row.status == InstanceStatus.COMPLETED:
        after.append(Happened(AuditAction.INSTANCE_COMPLETED))
    for event in [*events, *after]:
        trail.record(
            session,
            services,
            actor,
            event.action,
            context=context,
            task_id=event.task_id,
            detail=event.detail,
            payload=event.payload,
            at=now,
        )
