"""Data-encryption keys and AES-GCM sealing.

Keys never enter the database. They come from ``PATHWAYS_DATA_KEYS`` (comma
separated, base64) or a key file (one base64 key per line); the first key
encrypts, every key decrypts, which is what rotation needs. The embedded
SQLite default generates a key file on first run, readable by its owner only.

A sealed value is ``b"PP1" + key id (4 bytes) + nonce (12) + ciphertext``; the
associated data binds it to where it is stored (e.g. ``instance_state:42``),
so a blob copied onto another row fails to open.
"""

from __future__ import annotations

import base64
import hashlib
import os
import secrets
import time
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from engine.errors import EngineError
from engine.files import write_private_text

MAGIC = b"PP1"
KEY_BYTES = 32
NONCE_BYTES = 12
KEY_ID_BYTES = 4
RELOAD_INTERVAL = 1.0  # seconds between checks of the key file's time


class KeyringError(EngineError):
    code = "key_error"


def _key_id(key: bytes) -> bytes:
    return hashlib.sha256(b"pathways-key-id:" + key).digest()[:KEY_ID_BYTES]


def decode_key(text: str, origin: str) -> bytes:
    try:
        key = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError as err:
        raise KeyringError(f"{origin}: not valid base64") from err
    if len(key) != KEY_BYTES:
        raise KeyringError(f"{origin}: a key must be {KEY_BYTES} bytes, got {len(key)}")
    return key


def encode_key(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode().rstrip("=")


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def _read_key_file(key_file: Path) -> list[bytes]:
    lines = [ln for ln in key_file.read_text().splitlines() if ln.strip() and ln[0] != "#"]
    return [decode_key(line, str(key_file)) for line in lines]


class Keyring:
    """The configured keys; one loaded from a key file follows that file while the app runs.

    After ``pathways keys rotate`` rewrites the file, a running process meets a
    value sealed with the new key: it re-reads the file and opens it. New values
    move to the new key within a second (the file's time is checked on sealing),
    so rotation needs no restart.
    """

    def __init__(self, keys: list[bytes], *, source: Path | None = None) -> None:
        self._source = source
        self._checked_at = time.monotonic()
        self._mtime = source.stat().st_mtime_ns if source is not None else None
        self._load(keys)

    def _load(self, keys: list[bytes]) -> None:
        if not keys:
            raise KeyringError("no data-encryption key configured")
        self._keys = {_key_id(k): AESGCM(k) for k in keys}
        self._raw = list(keys)
        self._active_id = _key_id(keys[0])

    def _reload(self, *, force: bool = False) -> None:
        if self._source is None:
            return
        now = time.monotonic()
        if not force and now - self._checked_at < RELOAD_INTERVAL:
            return
        self._checked_at = now
        mtime = self._source.stat().st_mtime_ns
        if force or mtime != self._mtime:
            self._load(_read_key_file(self._source))
            self._mtime = mtime

    @property
    def active_key_id(self) -> str:
        return self._active_id.hex()

    def raw_keys(self) -> list[bytes]:
        """The keys in order (first encrypts), for writing a rotated key file."""
        return list(self._raw)

    @classmethod
    def from_environment(cls, key_file: Path, *, generate: bool) -> Keyring:
        configured = os.environ.get("PATHWAYS_DATA_KEYS", "").strip()
        if configured:
            return cls([decode_key(part, "PATHWAYS_DATA_KEYS") for part in configured.split(",")])
        if key_file.exists():
            return cls.from_file(key_file)
        if not generate:
            raise KeyringError(
                f"no data-encryption key: set PATHWAYS_DATA_KEYS or create {key_file}"
            )
        write_key_file(key_file, [new_key()])
        return cls.from_file(key_file)

    @classmethod
    def from_file(cls, key_file: Path) -> Keyring:
        return cls(_read_key_file(key_file), source=key_file)

    def seal(self, plaintext: bytes, associated: bytes) -> bytes:
        self._reload()
        nonce = secrets.token_bytes(NONCE_BYTES)
        sealed = self._keys[self._active_id].encrypt(nonce, plaintext, associated)
        return MAGIC + self._active_id + nonce + sealed

    def is_current(self, blob: bytes) -> bool:
        """Sealed with the key that encrypts now (nothing to re-encrypt)."""
        return blob[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES] == self._active_id

    def key_id_of(self, blob: bytes) -> str:
        return blob[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES].hex()

    def reseal(self, blob: bytes, associated: bytes) -> bytes:
        """The same plaintext under the active key, bound to the same place."""
        return self.seal(self.open(blob, associated), associated)

    def open(self, blob: bytes, associated: bytes) -> bytes:
        if blob[: len(MAGIC)] != MAGIC:
            raise KeyringError("stored value is not in the sealed format")
        start = len(MAGIC)
        key_id = blob[start : start + KEY_ID_BYTES]
        nonce = blob[start + KEY_ID_BYTES : start + KEY_ID_BYTES + NONCE_BYTES]
        aead = self._keys.get(key_id)
        if aead is None and self._source is not None:
            self._reload(force=True)  # rotated since this process started
            aead = self._keys.get(key_id)
        if aead is None:
            raise KeyringError(f"value was sealed with key {key_id.hex()}, which is not configured")
        try:
            return aead.decrypt(nonce, blob[start + KEY_ID_BYTES + NONCE_BYTES :], associated)
        except InvalidTag as err:
            raise KeyringError(
                "stored value failed its integrity check (tampered or misplaced)"
            ) from err


def write_key_file(key_file: Path, keys: list[bytes]) -> None:
    """Write keys with owner-only permissions, atomically."""
    text = (
        "# Protection Pathways data-encryption keys; first line encrypts.\n"
        "# Losing this file makes stored cases unreadable: back it up apart from the DB.\n"
        + "".join(encode_key(key) + "\n" for key in keys)
    )
    write_private_text(key_file, text, replace=True)
