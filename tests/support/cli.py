"""Running the `pathways` command line as a separate process, as an operator would."""

from __future__ import annotations

import subprocess
import sys


def run_pathways(env: dict[str, str], *args: str, stdin: str | None = None):
    """``python -m webapp.cli ARGS`` with ``env``; never a traceback for an expected refusal."""
    result = subprocess.run(
        [sys.executable, "-m", "webapp.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        check=False,
    )
    assert "Traceback" not in result.stderr, result.stderr
    return result
