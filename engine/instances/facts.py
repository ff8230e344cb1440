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
from datetime import datetime

from sqlalchemy import bindparam, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from engine.crypto.keyring import Keyring
from engine.instances.models import CaseFactsRow
from engine.scripting.case_facts import CaseFacts


def associated_data(case_id: int) -> bytes:
    return f"case_facts:{case_id}".encode()


def create_facts(session: Session, keyring: Keyring, case_id: int, now: datetime) -> None:
    """Every case has its row from the start, so there is always a version to check."""
    sealed = keyring.seal(b"{}", associated_data(case_id))
    session.add(CaseFactsRow(case_id=case_id, ciphertext=sealed, updated_at=now))
    session.flush()


def load_facts(session: Session, keyring: Keyring, case_id: int) -> CaseFacts:
    return facts_from_row(keyring, session.get(CaseFactsRow, case_id))


def facts_from_row(keyring: Keyring, row: CaseFactsRow | None) -> CaseFacts:
    if row is None:
        return CaseFacts()
    values = json.loads(keyring.open(row.ciphertext, associated_data(row.case_id)))
    return CaseFacts(values, version=row.version)


# Plain statements built once: a save is the hot path of every step (see ``store``).
_FACTS = CaseFactsRow.__table__
_WRITE = (
    update(_FACTS)
    .where(_FACTS.c.case_id == bindparam("key"), _FACTS.c.version == bindparam("read"))
    .values(
        ciphertext=bindparam("ciphertext"),
        updated_at=bindparam("at"),
        version=bindparam("written"),
    )
)
_STILL_CURRENT = (
    update(_FACTS)
    .where(_FACTS.c.case_id == bindparam("key"), _FACTS.c.version == bindparam("read"))
    .values(version=_FACTS.c.version)
)


def save_facts(
    session: Session, keyring: Keyring, case_id: int, facts: CaseFacts, now: datetime
) -> bool:
    """Write changed facts, or confirm unchanged ones are still current; False when stale."""
    row = session.get(CaseFactsRow, case_id)
    if row is None:
        return True
    if facts.changed:
        sealed = keyring.seal(
            json.dumps(facts.values, sort_keys=True).encode(), associated_data(case_id)
        )
        read = row.version
        written = session.connection().execute(
            _WRITE,
            {"key": case_id, "read": read, "written": read + 1, "ciphertext": sealed, "at": now},
        )
        if written.rowcount != 1:
            return False
        # The row object is told, so a later save in this transaction reads on from here.
        for name, value in (("ciphertext", sealed), ("updated_at", now), ("version", read + 1)):
            set_committed_value(row, name, value)
        return True
    if not facts.consulted:
        return True
    still_current = session.connection().execute(
        _STILL_CURRENT, {"key": case_id, "read": facts.version}
    )
    return still_current.rowcount == 1
