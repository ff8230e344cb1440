"""Re-encrypting stored case data under the active key, while the application keeps running.

Each row is re-sealed with a compare-and-swap on its ciphertext: if a user's
change lands between reading and writing, the row is left as the user wrote it
(already under a configured key) and a later pass picks it up. Audit payloads
are never re-sealed: the hash chain covers their ciphertext, so the keys that
sealed them must stay in the key file (they decrypt; only the first encrypts).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy import select, tuple_, update

from engine.audit.models import AuditEvent
from engine.crypto.keyring import Keyring
from engine.db.database import Database
from engine.instances.facts import associated_data as facts_data
from engine.instances.models import CaseFactsRow, InstanceState
from engine.instances.store import state_associated_data
from engine.tasks.drafts import associated_data as draft_data
from engine.tasks.models import TaskDraft

BATCH = 200


@dataclass(frozen=True)
class Sealed:
    """One encrypted column: its table, primary key columns, and how its blobs are bound."""

    name: str
    model: type
    keys: tuple[str, ...]
    associated: Callable[..., bytes]


TARGETS = (
    Sealed("instance_state", InstanceState, ("instance_id",), state_associated_data),
    Sealed("case_facts", CaseFactsRow, ("case_id",), facts_data),
    Sealed("task_draft", TaskDraft, ("task_id", "username"), draft_data),
)


@dataclass
class ResealReport:
    resealed: dict[str, int] = field(default_factory=dict)
    changed_meanwhile: int = 0
    audit_payloads_on_old_keys: int = 0


def _reseal_table(db: Database, keyring: Keyring, target: Sealed, report: ResealReport) -> None:
    columns = [getattr(target.model, k) for k in target.keys]
    done, after = 0, None
    while True:
        query = select(*columns, target.model.ciphertext).order_by(*columns).limit(BATCH)
        if after is not None:
            query = query.where(tuple_(*columns) > tuple_(*after))
        with db.read() as session:
            rows = session.execute(query).all()
        if not rows:
            break
        with db.write() as session:
            for row in rows:
                *pk, blob = row
                if keyring.is_current(blob):
                    continue
                fresh = keyring.reseal(blob, target.associated(*pk))
                condition = [c == v for c, v in zip(columns, pk, strict=True)]
                result = session.execute(
                    update(target.model)
                    .where(*condition, target.model.ciphertext == blob)
                    .values(ciphertext=fresh)
                    .execution_options(synchronize_session=False)
                )
                if result.rowcount:
                    done += 1
                else:
                    report.changed_meanwhile += 1
        after = tuple(rows[-1][: len(columns)])
    report.resealed[target.name] = done


def reseal_all(db: Database, keyring: Keyring) -> ResealReport:
    report = ResealReport()
    for target in TARGETS:
        _reseal_table(db, keyring, target, report)
    with db.read() as session:
        payloads = session.scalars(
            select(AuditEvent.payload).where(AuditEvent.payload.is_not(None))
        )
        report.audit_payloads_on_old_keys = sum(1 for p in payloads if not keyring.is_current(p))
    return report


def key_usage(db: Database, keyring: Keyring) -> dict[str, dict[str, int]]:
    """How many stored values each key id sealed, per table (for `pathways keys status`)."""
    usage: dict[str, dict[str, int]] = {}
    with db.read() as session:
        for target in TARGETS:
            counts: dict[str, int] = {}
            for blob in session.scalars(select(target.model.ciphertext)):
                key_id = keyring.key_id_of(blob)
                counts[key_id] = counts.get(key_id, 0) + 1
            usage[target.name] = counts
        counts = {}
        for blob in session.scalars(
            select(AuditEvent.payload).where(AuditEvent.payload.is_not(None))
        ):
            key_id = keyring.key_id_of(blob)
            counts[key_id] = counts.get(key_id, 0) + 1
        usage["audit_event"] = counts
    return usage
