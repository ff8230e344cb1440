"""Running the `pathways` command line: in process through Click's runner (most tests), or as
a separate process, as an operator would (a few true end-to-end tests)."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from webapp.cli import cli


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


def invoke_pathways(env: dict[str, str], *args: str, stdin: str | None = None):
    """The same command in this process (Click's runner; the environment set while it runs):
    the same exit statuses and streams, without starting Python again. An unexpected
    exception fails the test instead of becoming an exit status."""
    result = CliRunner().invoke(cli, list(args), env=env, input=stdin, catch_exceptions=False)
    return subprocess.CompletedProcess(
        ["pathways", *args], result.exit_code, result.stdout, result.stderr
    )
