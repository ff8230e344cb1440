"""Storing case facts: one encrypted, versioned row per case.

Facts are read without locks. At save, a step that changed facts writes them
with ``UPDATE ... WHERE version = <read>``; a step that only *read* them (a guard, any
condition or script: anything handed the facts) still checks the version with a no-op
``UPDATE ... WHERE version = <read>``. Either way, two steps of one case that
overlap cannot both commit on stale facts: the later one is retried from a fresh
read (see ``Engine.write``). A step that was never handed them (a plain task
completed, no condition evaluated) depends on nothing in them and checks nothing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Update, bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.crypto.keyring import Keyring
from engine.instances.models import CaseFactsRow
from engine.scripting.case_facts import CaseFacts


def associated_data(case_id: int) -> bytes:
    return f"case_facts:{case_id}".encode()


def create_facts(session: Session, keyring: Keyring, case_id: int, now: datetime) -> CaseFactsRow:
    """Every case has its row from the start, so there is always a version to check. The
    row is returned for the caller to hold (``engine.db.database.hold``) if it saves."""
    sealed = keyring.seal(b"{}", associated_data(case_id))
    row = CaseFactsRow(case_id=case_id, version=1, ciphertext=sealed, updated_at=now)
    session.add(row)
    session.flush()
    return row


def load_facts(session: Session, keyring: Keyring, case_id: int) -> CaseFacts:
    return facts_from_row(keyring, session.get(CaseFactsRow, case_id))


def facts_from_row(keyring: Keyring, row: CaseFactsRow | None) -> CaseFacts:
    if row is None:
        return CaseFacts()
    values = json.loads(keyring.open(row.ciphertext, associated_data(row.case_id)))
    return CaseFacts(values, version=row.version)


# Plain statements built once: a save is the hot path of every step (see ``store``). The
# names of their parameters are the fields of :class:`FactsWrite`.
_FACTS = CaseFactsRow.__table__
WRITE_FACTS = (
    update(_FACTS)
    .where(_FACTS.c.case_id == bindparam("facts_key"), _FACTS.c.version == bindparam("facts_read"))
    .values(
        ciphertext=bindparam("facts_ciphertext"),
        updated_at=bindparam("facts_at"),
        version=bindparam("facts_written"),
    )
)
FACTS_STILL_CURRENT = (
    update(_FACTS)
    .where(_FACTS.c.case_id == bindparam("facts_key"), _FACTS.c.version == bindparam("facts_read"))
    .values(version=_FACTS.c.version)
)


@dataclass(frozen=True)
class FactsWrite:
    """What a save does to the case's facts row: write changed facts, or confirm that the
    facts a step read are still current. Either matches one row, or the facts went stale."""

    statement: Update
    params: dict[str, Any]
    row: CaseFactsRow
    written: dict[str, Any]  # the row's new values, told to the row object once written

    def done(self) -> None:
        """The statement matched: the row object is told, so a later save in this
        transaction reads on from here."""
        for name, value in self.written.items():
            set_committed_value(self.row, name, value)

    def run(self, session: Session) -> bool:
        """The write as a statement of its own; False when the facts went stale."""
        if session.connection().execute(self.statement, self.params).rowcount != 1:
            return False
        self.done()
        return True


def facts_write(
    session: Session, keyring: Keyring, case_id: int, facts: CaseFacts, now: datetime
) -> FactsWrite | None:
    """The write a save owes the facts, or None when the step never touched them."""
    row = session.get(CaseFactsRow, case_id)
    if row is None:
        return None
    if facts.changed:
        sealed = keyring.seal(
            json.dumps(facts.values, sort_keys=True).encode(), associated_data(case_id)
        )
        read = row.version
        params = {
            "facts_key": case_id,
            "facts_read": read,
            "facts_written": read + 1,
            "facts_ciphertext": sealed,
            "facts_at": now,
        }
        written = {"ciphertext": sealed, "updated_at": now, "version": read + 1}
        return FactsWrite(WRITE_FACTS, params, row, written)
    if not facts.consulted:
        return None
    params = {"facts_key": case_id, "facts_read": facts.version}
    return FactsWrite(FACTS_STILL_CURRENT, params, row, {})


def save_facts(
    session: Session, keyring: Keyring, case_id: int, facts: CaseFacts, now: datetime
) -> bool:
    """Write changed facts, or confirm unchanged ones are still current; False when stale."""
    write = facts_write(session, keyring, case_id, facts, now)
    return write is None or write.run(session)
