"""The web app's signing secret (for CSRF tokens): from the environment or a file under var/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from engine.files import private_dir


def web_secret(key_dir: Path) -> str:
    configured = os.environ.get("PATHWAYS_SECRET_KEY", "").strip()
    if configured:
        return configured
    path = key_dir / "web.key"
    if not path.exists():
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another worker created it first
        else:
            with os.fdopen(fd, "w") as handle:
                handle.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
