"""Where each protection commitment finds its evidence (``engine/data/commitments.toml``).

The rules in :mod:`engine.accountability.commitments` read steps through this map, never by
BPMN id of their own, so the map is the one place that names them, and what
:mod:`engine.accountability.contract` checks at every deployment.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from engine.config import CONFIG_DIR

MAP_FILE = CONFIG_DIR / "commitments.toml"


@dataclass(frozen=True)
class EvidenceMap:
    pathways: dict[str, str]
    steps: dict[str, tuple[str, ...]]  # slot -> BPMN ids of the user tasks (any of them)
    answers: dict[str, tuple[str, ...]]  # slot -> fields of the step's form the rules read
    commitments: dict[str, tuple[str, ...]]  # commitment key -> the slots it reads
    console: dict[str, tuple[str, ...]]  # a console page -> the slots it reads

    def ids(self, slot: str) -> tuple[str, ...]:
        return self.steps[slot]

    def id(self, slot: str) -> str:
        (only,) = self.steps[slot]
        return only

    def readers(self, slot: str) -> tuple[list[str], list[str]]:
        """(the commitments, by key, and the console pages) that read a step."""
        return (
            [key for key, slots in self.commitments.items() if slot in slots],
            [page for page, slots in self.console.items() if slot in slots],
        )


def _tuple(value: str | list[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def load(path: Path = MAP_FILE) -> EvidenceMap:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    steps = {slot: _tuple(ids) for slot, ids in document["steps"].items()}
    answers = {slot: _tuple(fields) for slot, fields in document.get("answers", {}).items()}
    commitments = {key: _tuple(slots) for key, slots in document["commitments"].items()}
    console = {page: _tuple(slots) for page, slots in document.get("console", {}).items()}
    read = {slot for slots in [*commitments.values(), *console.values()] for slot in slots}
    unknown = sorted((read | answers.keys()) - steps.keys())
    if unknown:
        raise ValueError(f"{path.name}: steps not declared in [steps]: {', '.join(unknown)}")
    return EvidenceMap(dict(document["pathways"]), steps, answers, commitments, console)


@cache
def shipped() -> EvidenceMap:
    return load()
