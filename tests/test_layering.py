"""engine/ is the web-free core: no module in it may import Flask or Werkzeug."""

from __future__ import annotations

import ast
from pathlib import Path

ENGINE = Path(__file__).resolve().parent.parent / "engine"


def _imports_of(folder: Path, banned: set[str]) -> list[str]:
    """Every ``import`` in ``folder`` whose top-level package is in ``banned``."""
    offenders = []
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            offenders.extend(
                f"{path.relative_to(folder.parent)}: {name}"
                for name in names
                if name.split(".")[0] in banned
            )
    return offenders


def test_engine_never_imports_the_web_stack():
    assert _imports_of(ENGINE, {"flask", "werkzeug", "webapp"}) == []


def test_the_web_app_never_touches_the_database_directly():
    """Pages and routes go through the engine's commands and queries: no SQLAlchemy in webapp/,
    so every read and write keeps the engine's access rules and its one-transaction discipline."""
    assert _imports_of(ENGINE.parent / "webapp", {"sqlalchemy"}) == []
