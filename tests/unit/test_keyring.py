from __future__ import annotations

import os
import stat

import pytest

from engine.crypto.keyring import Keyring, KeyringError, encode_key, new_key, write_key_file


def test_seal_and_open_round_trip_and_bind_to_their_row():
    ring = Keyring([new_key()])
    sealed = ring.seal(b"Maria, born 2009-04-01", b"instance_state:1")
    assert b"Maria" not in sealed
    assert ring.open(sealed, b"instance_state:1") == b"Maria, born 2009-04-01"
    with pytest.raises(KeyringError, match="integrity"):
        ring.open(sealed, b"instance_state:2")
    tampered = sealed[:-1] + bytes([sealed[-1] ^ 1])
    with pytest.raises(KeyringError, match="integrity"):
        ring.open(tampered, b"instance_state:1")


def test_rotation_keeps_old_values_readable():
    old, new = new_key(), new_key()
    sealed_old = Keyring([old]).seal(b"x", b"a")
    rotated = Keyring([new, old])
    assert rotated.open(sealed_old, b"a") == b"x"
    assert rotated.active_key_id != Keyring([old]).active_key_id
    with pytest.raises(KeyringError, match="not configured"):
        Keyring([new]).open(sealed_old, b"a")


def test_first_run_generates_an_owner_only_key_file(tmp_path, monkeypatch):
    monkeypatch.delenv("PATHWAYS_DATA_KEYS", raising=False)
    key_file = tmp_path / "keys" / "data.key"
    ring = Keyring.from_environment(key_file, generate=True)
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert Keyring.from_environment(key_file, generate=False).active_key_id == ring.active_key_id


def test_no_key_and_no_permission_to_generate_is_an_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PATHWAYS_DATA_KEYS", raising=False)
    with pytest.raises(KeyringError, match="no data-encryption key"):
        Keyring.from_environment(tmp_path / "missing.key", generate=False)


def test_keys_from_the_environment_win(tmp_path, monkeypatch):
    key = new_key()
    monkeypatch.setenv("PATHWAYS_DATA_KEYS", encode_key(key))
    write_key_file(tmp_path / "other.key", [new_key()])
    assert Keyring.from_environment(tmp_path / "other.key", generate=False).active_key_id == (
        Keyring([key]).active_key_id
    )
    monkeypatch.setenv("PATHWAYS_DATA_KEYS", "too-short")
    with pytest.raises(KeyringError):
        Keyring.from_environment(tmp_path / "other.key", generate=False)
