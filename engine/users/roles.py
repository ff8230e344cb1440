"""Roles are lane names: ``Child protection officer`` is role ``child_protection_officer``."""

from __future__ import annotations

import re

ADMIN = "admin"
COORDINATOR = "coordinator"
SUPERVISOR = "supervisor"
BUILTIN_ROLES = frozenset({ADMIN, COORDINATOR, SUPERVISOR})

_SEPARATORS = re.compile(r"[\s_\-]+")
_VALID = re.compile(r"^[a-z][a-z0-9_]{0,79}$")


def normalise_role(name: str) -> str:
    """Case-insensitive; spaces, hyphens and underscores are the same separator."""
    return _SEPARATORS.sub("_", name.strip().lower()).strip("_")


def is_valid_role(name: str) -> bool:
    return bool(_VALID.match(normalise_role(name)))
