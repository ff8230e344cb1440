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


def _calls(folder: Path, matches) -> list[str]:
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call) and matches(node.func):
                found.append(f"{path.relative_to(ENGINE.parent)}:{node.lineno}")
    return found


def test_audit_events_are_recorded_through_one_helper():
    """``chain.append`` is the chain's primitive: every command records through
    ``engine.audit.trail.record``, so hashing, sealing and the late head lock are one code
    path and an event cannot be written some other way."""

    def chain_append(func) -> bool:
        return (
            isinstance(func, ast.Attribute)
            and func.attr == "append"
            and isinstance(func.value, ast.Name)
            and func.value.id == "chain"
        )

    assert _calls(ENGINE, chain_append) == ["engine/audit/trail.py:42"]
    assert _calls(ENGINE.parent / "webapp", chain_append) == []


def test_facade_methods_hold_no_transaction_code():
    """Each write is a named command in ``engine/<concept>/`` run by ``EngineCore.run``; a
    facade method that opened its own write (``self.write``) or defined a closure would hide
    checks and audit events where nobody looks for them."""
    facade = ENGINE / "facade"
    writes = _calls(
        facade,
        lambda f: (
            isinstance(f, ast.Attribute)
            and f.attr == "write"
            and isinstance(f.value, ast.Name)
            and f.value.id == "self"
        ),
    )
    assert [w for w in writes if not w.startswith("engine/facade/core.py")] == []
    closures = []
    for path in sorted(facade.glob("*.py")):
        for cls in ast.parse(path.read_text(encoding="utf-8")).body:
            for method in getattr(cls, "body", []):
                if isinstance(method, ast.FunctionDef):
                    closures.extend(
                        f"{path.name}:{node.lineno}"
                        for node in ast.walk(method)
                        if node is not method
                        and isinstance(node, ast.FunctionDef)
                        and path.name != "core.py"
                    )
    assert closures == []
