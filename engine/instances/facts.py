"""Storing case facts: one encrypted, versioned row per case.

Facts are read without locks. At save, a step that changed facts writes them
under the row's version; a step that only *read* them (a guard, any condition or
script: anything handed the facts) still checks the version with a no-op
``UPDATE ... WHERE version = <read>``. Either way, two steps of one case that
overlap cannot both commit on stale facts: the later one is retried from a fresh
read (see ``Engine.write``). A step that was never handed them (a plain task
completed, no condition evaluated) depends on nothing in them and checks nothing.
"""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

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
        row.ciphertext, row.updated_at = sealed, now
        session.flush()  # the version column turns a lost race into StaleDataError
        return True
    if not facts.consulted:
        return True
    still_current = session.execute(
        update(CaseFactsRow)
        .where(CaseFactsRow.case_id == case_id, CaseFactsRow.version == facts.version)
        .values(version=CaseFactsRow.version)
        .execution_options(synchronize_session=False)
    )
    return still_current.rowcount == 1
