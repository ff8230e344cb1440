"""Every save checked against a conversion from scratch.

Saves reuse what finished tasks serialized to (``engine.spiff.serialization``); tests that
drive whole pathways use this fixture so each of their saves must equal the state converted
afresh, byte for byte.
"""

from __future__ import annotations

import zlib

import pytest

from engine.spiff import serialization


@pytest.fixture
def checked_serialization(monkeypatch) -> list[int]:
    """The sizes of the saves checked (a test can assert some were)."""
    checked: list[int] = []
    kept = serialization.dump_sized

    def dump_sized(workflow):
        packed, size = kept(workflow)
        afresh = serialization.dump_unkept(workflow)
        assert zlib.decompress(packed) == afresh, "a kept task conversion went stale"
        checked.append(size)
        return packed, size

    monkeypatch.setattr(serialization, "dump_sized", dump_sized)
    return checked
