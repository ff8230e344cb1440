"""The web app's signing secret (for CSRF tokens): from the environment or a file under var/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from engine.files import write_private_text


def web_secret(key_dir: Path) -> str:
    configured = os.environ.get("PATHWAYS_SECRET_KEY", "").strip()
    if configured:
        return configured
    path = key_dir / "web.key"
    if not path.exists():  # another worker may make it first: theirs is kept
        write_private_text(path, secrets.token_urlsafe(48), replace=False)
    return path.read_text().strip()
