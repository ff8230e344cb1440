"""Appending to and verifying the hash-chained audit trail.

Each event's hash covers its own columns and the previous event's hash, in a
canonical JSON form. Appends lock the single ``audit_chain_head`` row, so
concurrent writers take turns and the chain never forks; the lock is taken as
late as possible in each command (audit is written last) and released at
commit.

Each append also notes the transaction's newest event in ``session.info``
(:data:`SESSION_TIP`): after the commit, the checkpoint log decides from it
whether to sign a checkpoint outside the database (``engine/audit/checkpoints.py``).
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    CTE,
    ColumnElement,
    Label,
    Update,
    and_,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from engine.audit.actions import AuditAction
from engine.audit.models import AuditChainHead, AuditEvent
from engine.crypto.keyring import Keyring

if TYPE_CHECKING:
    from engine.audit.checkpoints import CheckpointReport

GENESIS_HASH = "0" * 64
HEAD_ID = 1
SESSION_TIP = "pathways_audit_tip"
SESSION_HEAD = "pathways_audit_head"


@dataclass
class AppendedEvents:
    """What one transaction appended: its first and last sequence numbers and the last hash.

    ``anchor`` asks for a checkpoint whatever the count (a verification was recorded).
    """

    first_seq: int
    last_seq: int
    last_hash: str
    anchor: bool = False


def _canonical_time(value: datetime) -> str:
    return value.isoformat(timespec="microseconds")


def compute_hash(event: AuditEvent) -> str:
    return hash_of({column: getattr(event, column) for column in _HASHED})


_HASHED = (
    "seq",
    "occurred_at",
    "actor",
    "action",
    "case_ref",
    "instance_id",
    "task_id",
    "process_key",
    "definition_version",
    "detail_json",
    "payload",
    "prev_hash",
)


def hash_of(event: dict[str, Any]) -> str:
    """The hash of an event's columns (a row's or one about to be written)."""
    payload = event["payload"]
    body = {
        "seq": event["seq"],
        "occurred_at": _canonical_time(event["occurred_at"]),
        "actor": event["actor"],
        "action": event["action"],
        "case_ref": event["case_ref"],
        "instance_id": event["instance_id"],
        "task_id": event["task_id"],
        "process_key": event["process_key"],
        "definition_version": event["definition_version"],
        "detail": event["detail_json"],
        "payload_sha256": hashlib.sha256(payload).hexdigest() if payload else "",
        "prev_hash": event["prev_hash"],
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def payload_associated_data(seq: int) -> bytes:
    return f"audit_event:{seq}".encode()


@dataclass(frozen=True)
class AuditContext:
    """Who and where, shared by the events one command writes."""

    case_ref: str | None = None
    instance_id: int | None = None
    process_key: str | None = None
    definition_version: int | None = None


def append(
    session: Session,
    keyring: Keyring,
    *,
    occurred_at: datetime,
    actor: str,
    action: AuditAction,
    context: AuditContext | None = None,
    task_id: str | None = None,
    detail: dict[str, Any] | None = None,
    payload: dict[str, Any] | None = None,
) -> None:
    """Write one event inside the caller's transaction; ``payload`` is encrypted.

    The row goes out before the transaction's next statement or its commit, whichever
    comes first: a command's events, written last, go out as one multi-row INSERT.
    """
    context = context or AuditContext()
    position = _position(session)
    seq = position.last_seq + 1
    sealed = None
    if payload is not None:
        plain = json.dumps(payload, sort_keys=True, default=str).encode()
        sealed = keyring.seal(plain, payload_associated_data(seq))
    event = {
        "seq": seq,
        "occurred_at": occurred_at,
        "actor": actor,
        "action": str(action),
        "case_ref": context.case_ref,
        "instance_id": context.instance_id,
        "task_id": task_id,
        "process_key": context.process_key,
        "definition_version": context.definition_version,
        "detail_json": json.dumps(detail or {}, sort_keys=True, default=str),
        "payload": sealed,
        "prev_hash": position.last_hash,
    }
    event["hash"] = hash_of(event)
    position.pending.append(event)
    position.last_seq, position.last_hash = seq, event["hash"]
    _note_tip(
        session,
        seq,
        event["hash"],
        anchor=action == AuditAction.CHAIN_VERIFIED and _says_ok(detail),
    )


_EVENTS = AuditEvent.__table__
_HEADS = AuditChainHead.__table__
_LOCK_HEAD = (
    select(_HEADS.c.last_seq, _HEADS.c.last_hash).where(_HEADS.c.id == HEAD_ID).with_for_update()
)
_INSERT_EVENTS = insert(_EVENTS)
_MOVE_HEAD = (
    update(_HEADS)
    .where(_HEADS.c.id == HEAD_ID)
    .values(last_seq=bindparam("to_seq"), last_hash=bindparam("to_hash"))
)


@dataclass
class _Position:
    """Where this transaction's appends have taken the chain; the head row moves at commit."""

    head_seq: int
    last_seq: int
    last_hash: str
    pending: list[dict[str, Any]] = field(default_factory=list)


def _position(session: Session) -> _Position:
    """The transaction's chain position, starting from the head row locked by its first append.

    Later appends in the same transaction chain on from it: the lock is held until the
    transaction ends, so nobody else can have moved the head.
    """
    position: _Position | None = session.info.get(SESSION_HEAD)
    if position is None:
        last_seq, last_hash = session.connection().execute(_LOCK_HEAD).one()
        position = _Position(last_seq, last_seq, last_hash)
        session.info[SESSION_HEAD] = position
    return position


def holds_head(session: Session) -> bool:
    """Whether this transaction has locked the head row already."""
    return SESSION_HEAD in session.info


def head_lock_after(writes: ColumnElement[Any]) -> CTE:
    """The head row's lock as a part of a caller's statement (``store``'s save on PostgreSQL,
    a round trip fewer), taken only once ``writes`` is evaluated: a condition that counts the
    statement's other parts, so the head is still locked after every row the command writes,
    as when it is locked by itself."""
    return (
        select(_HEADS.c.last_seq, _HEADS.c.last_hash)
        .where(_HEADS.c.id == HEAD_ID, writes)
        .with_for_update()
        .cte("head_locked")
    )


def head_columns() -> tuple[Label[int], Label[str]]:
    """The head row's place as two columns of a caller's first read (``store``'s task read,
    a statement fewer), for a transaction that already excludes every other writer
    (:func:`engine.db.database.writes_alone`): the head it reads stays where it is until
    that transaction commits, as if locked. The caller hands them to :func:`took_head`."""
    where = _HEADS.c.id == HEAD_ID
    return (
        select(_HEADS.c.last_seq).where(where).scalar_subquery().label("head_seq"),
        select(_HEADS.c.last_hash).where(where).scalar_subquery().label("head_hash"),
    )


def took_head(session: Session, last_seq: int, last_hash: str) -> None:
    """The caller's statement locked the head (:func:`head_lock_after`) and read it: this
    transaction's appends chain on from there."""
    if SESSION_HEAD not in session.info:
        session.info[SESSION_HEAD] = _Position(last_seq, last_seq, last_hash)


def _write_pending(session: Session) -> _Position | None:
    position: _Position | None = session.info.get(SESSION_HEAD)
    if position is not None and position.pending:
        rows, position.pending = position.pending, []
        session.connection().execute(_INSERT_EVENTS, rows)
    return position


@sa_event.listens_for(Session, "do_orm_execute")
def _before_a_statement(orm_execute_state) -> None:
    """Events appended so far are in the table before anything in the transaction reads it."""
    _write_pending(orm_execute_state.session)


@sa_event.listens_for(Session, "before_commit")
def _advance_head(session: Session) -> None:
    """Write the events, then move the head to the last of them, once.

    The database refuses a head that points at an event not yet inserted (a trigger). On
    PostgreSQL both go out as one statement (:func:`_append_moving_head`).
    """
    position: _Position | None = session.info.get(SESSION_HEAD)
    if position is None:
        return
    move = {"to_seq": position.last_seq, "to_hash": position.last_hash}
    together = 0 < len(position.pending) <= APPEND_TOGETHER_AT_MOST
    if together and session.get_bind().dialect.name == "postgresql":
        rows, position.pending = position.pending, []
        params = {f"e{i}_{key}": value for i, row in enumerate(rows) for key, value in row.items()}
        moved = session.connection().execute(_append_moving_head(len(rows)), {**params, **move})
        if moved.rowcount != 1:
            raise RuntimeError("the audit head did not move to the events just appended")
    else:
        _write_pending(session)
        if position.head_seq >= position.last_seq:
            return
        session.connection().execute(_MOVE_HEAD, move)
    position.head_seq = position.last_seq


# A command's few events go out with the head's move (one shape per count, built once); a
# bulk command's many go out as one INSERT of many rows, as on SQLite: one statement for
# thousands of events would pass PostgreSQL's limit of 65,535 parameters.
APPEND_TOGETHER_AT_MOST = 16


@functools.cache
def _append_moving_head(count: int) -> Update:
    """``count`` events inserted and the head moved to the last, in one statement: the head's
    guard trigger sees the events because the move's condition reads them first (the
    inserts run as the condition's sub-plans, before the head row is updated).

    One single-row ``INSERT`` per event, each a part of its own: SQLAlchemy cannot cache the
    compiled form of a multi-row ``VALUES``, and compiling this statement anew at every
    commit cost more than the round trip it saves."""
    columns = [column.name for column in _EVENTS.columns if column.name != "id"]
    inserted = [
        select(func.count())
        .select_from(
            insert(_EVENTS)
            .values({name: bindparam(f"e{i}_{name}") for name in columns})
            .returning(_EVENTS.c.seq)
            .cte(f"appended_{i}")
        )
        .scalar_subquery()
        == 1
        for i in range(count)
    ]
    return _MOVE_HEAD.where(and_(*inserted))


@sa_event.listens_for(Session, "after_transaction_end")
def _forget_position(session: Session, transaction) -> None:
    """A session used for another transaction starts again from the (re-locked) head row."""
    if transaction.parent is None:
        session.info.pop(SESSION_HEAD, None)


def _says_ok(detail: dict[str, Any] | None) -> bool:
    return bool(detail and detail.get("ok") is True)


def _note_tip(session: Session, seq: int, hash_: str, *, anchor: bool) -> None:
    tip: AppendedEvents | None = session.info.get(SESSION_TIP)
    if tip is None:
        session.info[SESSION_TIP] = AppendedEvents(seq, seq, hash_, anchor)
        return
    tip.last_seq, tip.last_hash, tip.anchor = seq, hash_, tip.anchor or anchor


def open_payload(keyring: Keyring, event: AuditEvent) -> dict[str, Any] | None:
    if event.payload is None:
        return None
    return json.loads(keyring.open(event.payload, payload_associated_data(event.seq)))


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    last_seq: int
    last_occurred_at: datetime | None
    broken_seq: int | None = None
    broken_id: int | None = None
    reason: str | None = None
    last_hash: str | None = None
    # Set when the chain was also compared with its signed checkpoints: ``ok`` then needs both,
    # and ``chain_ok`` says whether the chain held in itself.
    checkpoints: CheckpointReport | None = None
    chain_ok: bool = True

    def as_dict(self) -> dict[str, Any]:
        found: dict[str, Any] = {
            "ok": self.ok,
            "checked": self.checked,
            "last_seq": self.last_seq,
            "last_occurred_at": self.last_occurred_at.isoformat()
            if self.last_occurred_at
            else None,
            "broken_seq": self.broken_seq,
            "broken_id": self.broken_id,
            "reason": self.reason,
        }
        if self.checkpoints is not None:
            found["checkpoints"] = self.checkpoints.as_dict()
        return found


def _events(session: Session, batch: int) -> Iterator[AuditEvent]:
    after = 0
    while True:
        rows = session.scalars(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq
        session.expunge_all()


def verify(session: Session, *, batch: int = 2000) -> ChainReport:
    """Recompute the chain from the first event; name the first row that does not fit."""
    expected_prev, expected_seq, checked = GENESIS_HASH, 1, 0
    last_time: datetime | None = None

    def broken(event: AuditEvent, reason: str) -> ChainReport:
        return ChainReport(
            False, checked, expected_seq - 1, last_time, event.seq, event.id, reason, chain_ok=False
        )

    for event in _events(session, batch):
        if event.seq != expected_seq:
            return broken(
                event, f"sequence jumps from {expected_seq - 1} to {event.seq}: rows missing"
            )
        if event.prev_hash != expected_prev:
            return broken(event, "previous-hash link does not match the row before it")
        if compute_hash(event) != event.hash:
            return broken(event, "contents do not match the stored hash: the row was edited")
        expected_prev, expected_seq, checked = event.hash, expected_seq + 1, checked + 1
        last_time = event.occurred_at

    head = session.get(AuditChainHead, HEAD_ID)
    if head is None or head.last_seq != expected_seq - 1 or head.last_hash != expected_prev:
        return ChainReport(
            False,
            checked,
            expected_seq - 1,
            last_time,
            reason="chain head does not match the last event: rows were cut off the end",
            chain_ok=False,
        )
    return ChainReport(True, checked, expected_seq - 1, last_time, last_hash=expected_prev)
