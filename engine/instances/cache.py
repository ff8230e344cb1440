"""Deserialized workflows kept in this process between commands on the same instance.

Loading an instance decrypts and deserializes its whole task tree, the largest cost of a
command on a long pathway. A case's steps come one after another, often from the same
worker, so each worker keeps the workflow it has just saved, keyed by instance id and the
instance row's version after that save.

Why a stale copy is never used: the version and the sealed state are read in the same
transaction that will later write ``UPDATE process_instance ... WHERE version = <read>``. A
cached workflow is used only when its version equals the row's *and* the sealed bytes it was
saved as equal the stored ones (a comparison of bytes, far cheaper than decrypting). Every
change to a workflow's state goes through ``store.save``, which bumps the version and seals
with a fresh nonce. So a state changed behind the engine's back (tampering, a restored backup
whose history diverged) is decrypted and checked as before, never answered from memory.

A copy is *taken out* while a command runs (so two threads never share one) and put back only
after that command committed; a command that fails or loses a race puts nothing back. Other
workers' copies of the same instance fall behind and are dropped when next met.

Bounded by the size of the saved states, least recently used first out: their JSON counted
twice (a kept workflow also holds the JSON texts of its unchanged tasks, about as large: see
``engine/spiff/serialization.py``) plus the sealed bytes.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

from SpiffWorkflow.bpmn.workflow import BpmnWorkflow

DEFAULT_BYTES = 32 * 1024 * 1024


@dataclass
class Kept:
    """A workflow as its last commit saved it, with the projection rows that save wrote
    (opaque here: ``store`` hands them to the next save, which then need not read them)."""

    workflow: BpmnWorkflow
    projection: Any = None


@dataclass
class _Entry:
    version: int
    sealed: bytes
    kept: Kept
    size: int


@dataclass
class CacheStats:
    hits: int = 0
    misses: int = 0
    evictions: int = 0
    entries: int = 0
    bytes: int = 0


class WorkflowCache:
    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[int, _Entry] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self._stats = CacheStats()

    def take(self, instance_id: int, version: int, sealed: bytes) -> Kept | None:
        """The cached workflow saved as exactly this version and these sealed bytes, removed
        from the cache; else None."""
        with self._lock:
            entry = self._entries.pop(instance_id, None)
            if entry is not None:
                self._bytes -= entry.size
            if entry is None or entry.version != version or entry.sealed != sealed:
                self._stats.misses += 1
                return None
            self._stats.hits += 1
            return entry.kept

    def put(self, instance_id: int, version: int, sealed: bytes, kept: Kept, size: int) -> None:
        """Keep a workflow just committed at ``version`` as ``sealed`` (only after the commit).

        ``size`` is the JSON size of its state: counted twice (the state, and the unchanged
        tasks' texts kept with it), the sealed bytes added.
        """
        size = 2 * size + len(sealed)
        if size > self.max_bytes:
            return
        with self._lock:
            old = self._entries.pop(instance_id, None)
            if old is not None:
                self._bytes -= old.size
            self._entries[instance_id] = _Entry(version, sealed, kept, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, evicted = self._entries.popitem(last=False)
                self._bytes -= evicted.size
                self._stats.evictions += 1

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._bytes = 0

    def stats(self) -> CacheStats:
        with self._lock:
            return CacheStats(
                self._stats.hits,
                self._stats.misses,
                self._stats.evictions,
                len(self._entries),
                self._bytes,
            )
