"""An installed package runs without the checkout: every file the code reads beside itself
is package data."""

from __future__ import annotations

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _data_files(package: str) -> set[str]:
    """Files in the package that are not code (built front-end libraries excluded: they are
    declared by the same globs, but a checkout without ``make setup`` has none)."""
    found = set()
    for path in (ROOT / package).rglob("*"):
        relative = path.relative_to(ROOT)
        name = str(relative)
        hidden = any(part.startswith(".") for part in relative.parts)  # tool caches
        if (
            path.is_file()
            and not hidden
            and path.suffix not in {".py", ".pyc"}
            and "/vendor/" not in name
        ):
            found.add(name)
    return found


def _declared(package: str, patterns: list[str]) -> set[str]:
    folder = ROOT / package
    return {
        str(path.relative_to(ROOT))
        for pattern in patterns
        for path in folder.glob(pattern)
        if path.is_file()
    }


def test_every_data_file_in_the_packages_is_installed_with_them():
    package_data = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]
    for package in ("engine", "webapp"):
        tracked = _data_files(package)
        missing = tracked - _declared(package, package_data[package])
        # Lint and catalogue-extraction files are for developers, not read by the code.
        developers = {
            f"{package}/ruff.toml",
            "webapp/babel.cfg",
            "webapp/translations/messages.pot",
        }
        assert missing <= developers, sorted(missing)


def test_the_code_reads_no_data_from_the_checkout_root():
    """Only the pathways and forms (settings with environment overrides, the source a
    deployment reads) live at the top; the rest is found beside the code that reads it."""
    from engine.accountability import evidence_map, htcds, referral
    from engine.config import Settings
    from webapp.documents import sheets

    for path in (
        evidence_map.MAP_FILE,
        htcds.MAPPING_FILE,
        referral.RECIPIENTS_FILE,
        Settings().calendar_file,
        sheets.SHEETS_DIR,
    ):
        assert path.exists(), path
        assert path.is_relative_to(ROOT / "engine") or path.is_relative_to(ROOT / "webapp"), path
