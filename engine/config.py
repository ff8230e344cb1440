"""Where things are: database, keys, forms, workflows. Environment variables override."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def _path_from_env(name: str, default: Path) -> Path:
    value = os.environ.get(name)
    return Path(value).resolve() if value else default


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
        default_factory=lambda: _path_from_env(
            "PATHWAYS_CALENDAR", PROJECT_ROOT / "config" / "calendar.json"
        )
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

    @property
    def is_embedded_default(self) -> bool:
        """The zero-configuration SQLite file: the only place we may invent a key."""
        return self.database_url.startswith("sqlite")
