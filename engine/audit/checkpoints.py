"""Signed checkpoints of the audit chain, kept outside the database.

The chain's head lives in the database, so someone with superuser rights there can drop the
triggers, rewrite rows, recompute every hash and move the head: the chain alone then verifies.
A checkpoint is one JSON line ``{"v", "seq", "hash", "at", "key", "mac"}``: "event ``seq`` had
hash ``hash`` at time ``at``", with an HMAC-SHA256 under a key that is never in the database
(``var/keys/audit-checkpoint.key``, owner-only), appended to a file outside the database
(``var/audit-checkpoints.jsonl``, owner-only, opened for appending only). Checking the chain
against them finds what the chain alone cannot:

- a row rewritten with recomputed hashes: the event a later checkpoint names has another hash;
- events cut off the end (head moved back too): a checkpoint names an event past the end;
- an altered or forged checkpoint line: its MAC does not verify.

When one is written: after a write transaction commits, when it crossed a multiple of
``every`` events, or when ``interval_s`` has passed (by the engine's clock) since this process
last wrote one, a process's first commit included; after a recorded verification that passed;
and after ``verify_audit`` passed. Only committed events are named (the write happens after the
commit), and the cost on the write path is one short line appended, now and then, without fsync.
Copies kept off the machine (syslog, WORM storage) are what defeats someone who can also edit
this file; ``pathways audit verify --checkpoints COPY`` checks against such a copy.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from engine.audit.chain import SESSION_TIP, AppendedEvents
from engine.audit.models import AuditEvent
from engine.clock import Clock
from engine.crypto.keyring import KeyringError, decode_key, encode_key, new_key
from engine.files import OWNER_ONLY_FILE, narrow, private_dir, write_private_text

log = logging.getLogger("engine.audit")

FORMAT_VERSION = 1
MAC_DOMAIN = b"pathways-audit-checkpoint\n"
MAX_PROBLEMS = 10
_QUERY_BATCH = 500


class CheckpointKeyMissing(Exception):
    """No checkpoint key where the settings say: checkpoints cannot be signed or checked."""


# -- the key ---------------------------------------------------------------------------------


def key_id(key: bytes) -> str:
    return hashlib.sha256(b"pathways-checkpoint-key-id:" + key).hexdigest()[:16]


def read_key(key_file: Path) -> bytes:
    try:
        text = key_file.read_text()
    except FileNotFoundError as err:
        raise CheckpointKeyMissing(f"no audit checkpoint key at {key_file}") from err
    lines = [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    if not lines:
        raise CheckpointKeyMissing(f"{key_file} holds no key")
    try:
        return decode_key(lines[0], str(key_file))
    except KeyringError as err:
        raise CheckpointKeyMissing(err.message) from err


def ensure_key(key_file: Path) -> bytes:
    """The checkpoint key, made owner-only on first use (never overwriting one that exists)."""
    if key_file.exists():
        narrow(key_file)
    else:
        write_private_text(
            key_file,
            "# Protection Pathways audit checkpoint key (HMAC-SHA256). Never put it in\n"
            "# the database or its backups: whoever holds it can sign checkpoints.\n"
            + encode_key(new_key())
            + "\n",
            replace=False,
        )
    return read_key(key_file)


# -- one checkpoint --------------------------------------------------------------------------


def _signed_text(seq: int, chain_hash: str, at: str, kid: str) -> bytes:
    body = {"v": FORMAT_VERSION, "seq": seq, "hash": chain_hash, "at": at, "key": kid}
    return MAC_DOMAIN + json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def _mac(key: bytes, seq: int, chain_hash: str, at: str) -> str:
    return hmac.new(key, _signed_text(seq, chain_hash, at, key_id(key)), hashlib.sha256).hexdigest()


def checkpoint_line(key: bytes, seq: int, chain_hash: str, at: datetime) -> str:
    when = at.isoformat(timespec="microseconds")
    line = {
        "v": FORMAT_VERSION,
        "seq": seq,
        "hash": chain_hash,
        "at": when,
        "key": key_id(key),
        "mac": _mac(key, seq, chain_hash, when),
    }
    return json.dumps(line, sort_keys=True, separators=(",", ":")) + "\n"


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    line: int


def _is_hex(value: Any, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


def _fields(text: str, number: int) -> dict[str, Any] | str:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return f"line {number} of the checkpoint file is not a checkpoint (not JSON)"
    seq = data.get("seq") if isinstance(data, dict) else None
    shaped = (
        isinstance(data, dict)
        and data.get("v") == FORMAT_VERSION
        and isinstance(seq, int)
        and not isinstance(seq, bool)
        and seq > 0
        and _is_hex(data.get("hash"), 64)
        and isinstance(data.get("at"), str)
        and isinstance(data.get("key"), str)
        and _is_hex(data.get("mac"), 64)
    )
    if not shaped:
        return f"line {number} of the checkpoint file is not a checkpoint (fields missing or wrong)"
    return data


def parse_line(text: str, number: int, key: bytes | None) -> Checkpoint | str:
    """A checkpoint whose MAC verifies, or a plain sentence saying why this line is not one."""
    data = _fields(text, number)
    if isinstance(data, str):
        return data
    seq, chain_hash, at = data["seq"], data["hash"], data["at"]
    if key is None:
        return f"line {number}: no checkpoint key is configured, so its signature cannot be checked"
    if data["key"] != key_id(key):
        return (
            f"line {number} (event {seq}) is signed with key {data['key']}, not with the"
            f" configured checkpoint key {key_id(key)}"
        )
    if not hmac.compare_digest(data["mac"], _mac(key, seq, chain_hash, at)):
        return (
            f"line {number} (event {seq}) has a bad signature: the checkpoint was altered or forged"
        )
    return Checkpoint(seq, chain_hash, at, number)


def read_checkpoints(path: Path, key: bytes | None) -> tuple[list[Checkpoint], list[str]]:
    """The checkpoints in ``path`` whose signatures verify, and a sentence for each other line."""
    found: list[Checkpoint] = []
    problems: list[str] = []
    with path.open(encoding="utf-8", errors="replace") as handle:
        for number, text in enumerate(handle, start=1):
            if not text.strip():
                continue
            parsed = parse_line(text, number, key)
            if isinstance(parsed, Checkpoint):
                found.append(parsed)
            else:
                problems.append(parsed)
    return found, problems


# -- checking the chain against them ---------------------------------------------------------


@dataclass(frozen=True)
class CheckpointReport:
    ok: bool
    source: str
    checked: int = 0
    latest_seq: int | None = None
    latest_at: str | None = None
    problems: tuple[str, ...] = ()
    signed_now: int | None = None  # the event a new checkpoint signed after this check

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "source": self.source,
            "checked": self.checked,
            "latest_seq": self.latest_seq,
            "latest_at": self.latest_at,
            "problems": list(self.problems),
            "signed_now": self.signed_now,
        }


@dataclass
class CheckpointFile:
    """A checkpoint file read (and its signatures checked) before the chain is read.

    Reading first matters: a checkpoint is written only after its events committed, so every
    event named here is visible to a database snapshot taken afterwards.
    """

    source: Path
    checkpoints: list[Checkpoint] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    @classmethod
    def load(cls, source: Path, key_file: Path) -> CheckpointFile:
        if not source.exists():
            return cls(source)
        try:
            key: bytes | None = read_key(key_file)
            problems = []
        except CheckpointKeyMissing as err:
            key, problems = None, [f"{err}: the checkpoints cannot be checked"]
        try:
            found, refused = read_checkpoints(source, key)
        except OSError as err:
            return cls(source, [], [f"the checkpoint file {source} cannot be read: {err}"])
        if key is None and refused:
            refused = [f"{len(refused)} checkpoint line(s) are unchecked"]
        return cls(source, found, problems + refused)

    def compare(self, session: Session) -> CheckpointReport:
        """Each checkpoint against the event it names, in this session's view of the trail."""
        problems = list(self.problems)
        last_seq = session.scalar(select(func.max(AuditEvent.seq))) or 0
        within = sorted({c.seq for c in self.checkpoints if c.seq <= last_seq})
        stored = dict(_hashes(session, within))
        matched = 0
        rewritten: list[Checkpoint] = []
        for checkpoint in sorted(self.checkpoints, key=lambda c: (c.seq, c.line)):
            if checkpoint.seq > last_seq:
                continue
            if stored.get(checkpoint.seq) == checkpoint.hash:
                matched += 1
            elif checkpoint.seq not in stored:
                problems.append(
                    f"event {checkpoint.seq}, signed in the checkpoint of {checkpoint.at}"
                    f" (line {checkpoint.line}), is missing from the trail"
                )
            else:
                rewritten.append(checkpoint)
        if rewritten:
            first = rewritten[0]
            more = f" ({len(rewritten) - 1} later checkpoint(s) do not match either)"
            problems.append(
                f"event {first.seq} does not match the checkpoint signed at {first.at}"
                f" (line {first.line}): the trail was rewritten after it was signed"
                + (more if len(rewritten) > 1 else "")
            )
        beyond = [c for c in self.checkpoints if c.seq > last_seq]
        if beyond:
            furthest = max(beyond, key=lambda c: c.seq)
            problems.append(
                f"the trail ends at event {last_seq}, but the checkpoint signed at {furthest.at}"
                f" (line {furthest.line}) names event {furthest.seq}: events were cut off the end"
            )
        latest = max(self.checkpoints, key=lambda c: c.seq, default=None)
        if len(problems) > MAX_PROBLEMS:
            problems = [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more"]
        return CheckpointReport(
            ok=not problems,
            source=str(self.source),
            checked=matched,
            latest_seq=latest.seq if latest else None,
            latest_at=latest.at if latest else None,
            problems=tuple(problems),
        )


def _hashes(session: Session, seqs: list[int]) -> Iterator[tuple[int, str]]:
    for start in range(0, len(seqs), _QUERY_BATCH):
        chunk = seqs[start : start + _QUERY_BATCH]
        rows = session.execute(
            select(AuditEvent.seq, AuditEvent.hash).where(AuditEvent.seq.in_(chunk))
        )
        yield from ((seq, chain_hash) for seq, chain_hash in rows)


# -- writing them ----------------------------------------------------------------------------


def append_line(path: Path, line: str) -> None:
    """One line at the end of ``path`` (created owner-only); append mode, no fsync."""
    private_dir(path.parent)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, OWNER_ONLY_FILE)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(line)


class CheckpointLog:
    """Where this engine signs its checkpoints, and when it is due to sign the next."""

    def __init__(
        self,
        path: Path,
        key_file: Path,
        *,
        clock: Clock,
        every: int = 1000,
        interval_s: float = 3600.0,
    ) -> None:
        self.path = path
        self.key_file = key_file
        self.clock = clock
        self.every = every
        self.interval_s = interval_s
        self._lock = threading.Lock()
        self._last_written: datetime | None = None
        self._narrowed = False

    def after_commit(self, session: Session) -> None:
        """SQLAlchemy ``after_commit`` listener: sign the transaction's last event when due.

        Never raises: the transaction has committed, and the command must report success.
        """
        tip: AppendedEvents | None = session.info.pop(SESSION_TIP, None)
        if tip is not None and (tip.anchor or self._due(tip)):
            self.write(tip.last_seq, tip.last_hash)

    def _due(self, tip: AppendedEvents) -> bool:
        if self.every > 0 and tip.last_seq // self.every > (tip.first_seq - 1) // self.every:
            return True
        last = self._last_written
        return last is None or (self.clock.now() - last).total_seconds() >= self.interval_s

    def write(self, seq: int, chain_hash: str) -> bool:
        """Append a signed checkpoint; a failure is logged, never raised (the commit stands)."""
        try:
            with self._lock:
                now = self.clock.now()
                key = ensure_key(self.key_file)
                if not self._narrowed:
                    narrow(self.path)  # a file made by hand may be readable by others
                    self._narrowed = True
                append_line(self.path, checkpoint_line(key, seq, chain_hash, now))
                self._last_written = now
        except Exception:  # after the commit, a failure here must not fail the command
            log.exception("could not write an audit checkpoint to %s", self.path)
            return False
        return True

    def load(self, source: Path | None = None) -> CheckpointFile:
        return CheckpointFile.load(source or self.path, self.key_file)
