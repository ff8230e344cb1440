"""Drafts: a person's unfinished answers to one task, encrypted, visible only to them."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete
from sqlalchemy.orm import Session

from engine.crypto.keyring import Keyring
from engine.errors import InvalidRequest
from engine.tasks.models import TaskDraft

MAX_DRAFT_BYTES = 256 * 1024


def associated_data(task_id: str, username: str) -> bytes:
    return f"task_draft:{task_id}:{username}".encode()


def save_draft(
    session: Session,
    keyring: Keyring,
    *,
    task_id: str,
    username: str,
    answers: dict[str, Any],
    now: datetime,
) -> None:
    plain = json.dumps(answers, sort_keys=True).encode()
    if len(plain) > MAX_DRAFT_BYTES:
        raise InvalidRequest(f"a draft may hold at most {MAX_DRAFT_BYTES // 1024} KB of answers")
    sealed = keyring.seal(plain, associated_data(task_id, username))
    row = session.get(TaskDraft, (task_id, username))
    if row is None:
        session.add(TaskDraft(task_id=task_id, username=username, ciphertext=sealed, saved_at=now))
    else:
        row.ciphertext, row.saved_at = sealed, now


def load_draft(
    session: Session, keyring: Keyring, task_id: str, username: str
) -> dict[str, Any] | None:
    row = session.get(TaskDraft, (task_id, username))
    if row is None:
        return None
    return json.loads(keyring.open(row.ciphertext, associated_data(task_id, username)))


def discard_drafts(session: Session, task_id: str) -> None:
    """A completed task's drafts (everyone's) are of no further use and are removed."""
    # No session objects to keep in step (drafts are read in their own commands): a plain DELETE.
    session.execute(
        delete(TaskDraft)
        .where(TaskDraft.task_id == task_id)
        .execution_options(synchronize_session=False)
    )
