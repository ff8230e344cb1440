"""Password hashing with argon2id (argon2-cffi's defaults follow RFC 9106)."""

from __future__ import annotations

from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()
MIN_LENGTH = 10


def use_hasher(hasher: PasswordHasher) -> None:
    """Replace the production hasher (argon2-cffi's RFC 9106 defaults) for this process.

    For test suites only, which hash a few passwords per test: stored hashes carry their own
    parameters, so hashes of either cost verify under the other.
    """
    global _hasher  # noqa: PLW0603 - one process-wide choice, made once at start
    _hasher = hasher
    _dummy_hash.cache_clear()


@cache
def _dummy_hash() -> str:
    """Verifying against this keeps unknown usernames as slow as wrong passwords,
    so timing does not reveal which accounts exist."""
    return _hasher.hash("not-a-real-password-for-timing")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_problem(password: str) -> str | None:
    if len(password) < MIN_LENGTH:
        return f"a password needs at least {MIN_LENGTH} characters"
    return None
