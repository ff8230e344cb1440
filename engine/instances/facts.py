"""Storing case facts: one encrypted, versioned row per case."""

from __future__ import annotations

import json
from datetime import datetime

from sqlalchemy.orm import Session

from engine.crypto.keyring import Keyring
from engine.instances.models import CaseFactsRow
from engine.scripting.case_facts import CaseFacts


def _associated(case_id: int) -> bytes:
    return f"case_facts:{case_id}".encode()


def create_facts(session: Session, keyring: Keyring, case_id: int, now: datetime) -> None:
    """Every case has its row from the start, so writers can always lock it."""
    sealed = keyring.seal(b"{}", _associated(case_id))
    session.add(CaseFactsRow(case_id=case_id, ciphertext=sealed, updated_at=now))
    session.flush()


def load_facts(session: Session, keyring: Keyring, case_id: int) -> CaseFacts:
    """Read and lock the case's facts: a step that reads them (a guard) and a step that
    changes them (another pathway of the same case) cannot both commit on stale facts."""
    row = session.get(CaseFactsRow, case_id, with_for_update=True)
    if row is None:
        return CaseFacts()
    return CaseFacts(json.loads(keyring.open(row.ciphertext, _associated(case_id))))


def save_facts(
    session: Session, keyring: Keyring, case_id: int, facts: CaseFacts, now: datetime
) -> None:
    """Write only when something changed; the row's version guards against lost updates."""
    if not facts.changed:
        return
    sealed = keyring.seal(json.dumps(facts.values, sort_keys=True).encode(), _associated(case_id))
    row = session.get(CaseFactsRow, case_id)
    if row is None:
        session.add(CaseFactsRow(case_id=case_id, ciphertext=sealed, updated_at=now))
    else:
        row.ciphertext, row.updated_at = sealed, now
