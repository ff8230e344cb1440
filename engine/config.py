"""Where things are: database, keys, forms, workflows. Environment variables override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
# What the engine ships with beside its code (installed as package data): the business
# calendar, the commitments, HTCDS and referral maps, and the demo stories.
CONFIG_DIR = Path(__file__).resolve().parent / "data"


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


def _number_from_env(name: str, default: float) -> float:
    value = os.environ.get(name, "").strip()
    try:
        return float(value) if value else default
    except ValueError as err:
        raise ValueError(f"{name} must be a number, got {value!r}") from err


@dataclass(frozen=True)
class Settings:
    var_dir: Path = field(
        default_factory=lambda: _path_from_env("PATHWAYS_VAR", PROJECT_ROOT / "var")
    )
    database_url: str = ""
    key_file: Path | None = None
    forms_dir: Path = field(
        default_factory=lambda: _path_from_env("PATHWAYS_FORMS_DIR", PROJECT_ROOT / "forms")
    )
    workflows_dir: Path = field(
        default_factory=lambda: _path_from_env("PATHWAYS_WORKFLOWS_DIR", PROJECT_ROOT / "workflows")
    )
    calendar_file: Path = field(
        default_factory=lambda: _path_from_env("PATHWAYS_CALENDAR", CONFIG_DIR / "calendar.json")
    )
    # Signed checkpoints of the audit chain, outside the database (engine/audit/checkpoints.py).
    audit_checkpoint_file: Path | None = None
    audit_checkpoint_key_file: Path | None = None
    audit_checkpoint_every: int = field(
        default_factory=lambda: int(_number_from_env("PATHWAYS_AUDIT_CHECKPOINT_EVERY", 1000))
    )
    audit_checkpoint_interval_s: float = field(
        default_factory=lambda: _number_from_env("PATHWAYS_AUDIT_CHECKPOINT_INTERVAL", 3600.0)
    )
    # Deserialized workflows each worker keeps between commands (engine/instances/cache.py),
    # weighed by the JSON size of their saved state; 0 turns the cache off.
    workflow_cache_bytes: int = field(
        default_factory=lambda: int(_number_from_env("PATHWAYS_WORKFLOW_CACHE_MB", 32) * 2**20)
    )

    def __post_init__(self) -> None:
        if not self.database_url:
            url = os.environ.get("DATABASE_URL") or f"sqlite:///{self.var_dir / 'pathways.db'}"
            object.__setattr__(self, "database_url", url)
        if self.key_file is None:
            object.__setattr__(
                self,
                "key_file",
                _path_from_env("PATHWAYS_KEY_FILE", self.var_dir / "keys" / "data.key"),
            )
        if self.audit_checkpoint_file is None:
            object.__setattr__(
                self,
                "audit_checkpoint_file",
                _path_from_env(
                    "PATHWAYS_AUDIT_CHECKPOINTS", self.var_dir / "audit-checkpoints.jsonl"
                ),
            )
        if self.audit_checkpoint_key_file is None:
            object.__setattr__(
                self,
                "audit_checkpoint_key_file",
                _path_from_env(
                    "PATHWAYS_AUDIT_CHECKPOINT_KEY",
                    self.var_dir / "keys" / "audit-checkpoint.key",
                ),
            )

    @property
    def is_embedded_default(self) -> bool:
        """The zero-configuration SQLite file: the only place we may invent a key."""
        return self.database_url.startswith("sqlite")
