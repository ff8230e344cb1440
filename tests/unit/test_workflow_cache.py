"""The worker's cache of deserialized workflows: taken out while used, only at the exact
version and sealed bytes it was saved as, bounded by size."""

from __future__ import annotations

from engine.instances.cache import WorkflowCache

A, B, C = object(), object(), object()  # stand-ins: the cache never looks inside a workflow
S = b"sealed"  # 6 bytes, added to twice the JSON size


def test_a_workflow_is_taken_out_once_and_only_at_its_version():
    cache = WorkflowCache(max_bytes=100)
    cache.put(1, 5, S, A, 10)
    assert cache.take(1, 4, S) is None  # another version: dropped, not handed out
    assert cache.take(1, 5, S) is None  # ...and gone
    cache.put(1, 6, S, A, 10)
    assert cache.take(1, 6, S) is A
    assert cache.take(1, 6, S) is None  # two commands never share one copy
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries, stats.bytes) == (1, 3, 0, 0)


def test_the_same_version_stored_as_other_bytes_is_not_answered_from_memory():
    """A state written behind the engine's back (tampered, restored from a backup whose
    history diverged) is decrypted and checked, whatever its version says."""
    cache = WorkflowCache(max_bytes=100)
    cache.put(1, 5, S, A, 10)
    assert cache.take(1, 5, b"other") is None


def test_the_least_recently_kept_goes_first_when_full():
    cache = WorkflowCache(max_bytes=50)
    cache.put(1, 1, S, A, 5)
    cache.put(2, 1, S, B, 5)
    cache.put(1, 2, S, A, 5)  # instance 1 again, newer: now the most recent
    cache.put(3, 1, S, C, 5)  # 3 x (2 x 5 + 6) bytes fit, a fourth would not
    assert cache.stats().bytes == 48
    cache.put(4, 1, S, C, 5)
    assert cache.take(2, 1, S) is None
    assert cache.take(1, 2, S) is A and cache.take(3, 1, S) is C
    assert cache.stats().evictions == 1


def test_a_state_larger_than_the_whole_cache_is_not_kept():
    cache = WorkflowCache(max_bytes=20)
    cache.put(1, 1, S, A, 15)
    assert cache.take(1, 1, S) is None and cache.stats().evictions == 0


def test_size_zero_turns_it_off():
    cache = WorkflowCache(max_bytes=0)
    cache.put(1, 1, S, A, 1)
    assert cache.take(1, 1, S) is None
