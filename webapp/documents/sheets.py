"""The information-on-rights sheet in each language, read from ``rights_sheet/`` beside this module.

The text lives in plain files rather than message catalogs: it is a document
handed to a person, reviewed as a whole by translators and practitioners, not
a set of interface strings.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHEETS_DIR = Path(__file__).resolve().parent / "rights_sheet"


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    body: str


@dataclass(frozen=True)
class RightsSheet:
    code: str
    language: str
    title: str
    intro: str
    sections: tuple[Section, ...]
    contact_heading: str
    contact_note: str
    keep: str


def _load(path: Path) -> RightsSheet:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    contact = document["contact"]
    return RightsSheet(
        path.stem,
        document["language"],
        document["title"],
        document["intro"],
        tuple(Section(s["key"], s["heading"], s["body"]) for s in document["sections"]),
        contact["heading"],
        contact["note"],
        contact["keep"],
    )


@cache
def rights_sheets() -> dict[str, RightsSheet]:
    """Language code -> sheet, English first."""
    found = {path.stem: _load(path) for path in sorted(SHEETS_DIR.glob("*.toml"))}
    return dict(sorted(found.items(), key=lambda item: item[0] != "en"))
