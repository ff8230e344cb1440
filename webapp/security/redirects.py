"""Where a ``next`` parameter may send someone: a page of this site, never another host."""

from __future__ import annotations

from urllib.parse import urlsplit


def is_local_path(target: str | None) -> bool:
    """True for ``/inbox?x=1``; false for ``//host``, ``/\\host`` (browsers read ``\\`` as ``/``),
    schemes, and control characters that some browsers strip before resolving."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return False
    if "\\" in target or any(ord(c) < 32 or ord(c) == 127 for c in target):
        return False
    parts = urlsplit(target)
    return not (parts.scheme or parts.netloc)
