"""The anonymised statistics export: one HTCDS row per consenting case, then disclosure control.

The mapping (``engine/data/htcds.toml``) says where every column comes from; this
module only knows how to read a source, band an age, flatten a multi-select
and suppress small cells. Only mapped values can reach the file, so a form
field added later never leaks into it by accident.
"""

from __future__ import annotations

import csv
import io
import tomllib
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from engine.accountability.history import CaseHistory
from engine.config import CONFIG_DIR

MAPPING_FILE = CONFIG_DIR / "htcds.toml"
UNKNOWN = "Unknown"


@dataclass(frozen=True)
class Mapping:
    consent: list[str]
    min_cell_size: int
    quasi_identifiers: list[str]
    suppressed: str
    columns: dict[str, dict[str, Any]]
    flags: dict[str, dict[str, Any]]

    @property
    def flag_columns(self) -> list[str]:
        return [f"{name}_{value}" for name, spec in self.flags.items() for value in spec["values"]]

    @property
    def header(self) -> list[str]:
        return [*self.columns, *self.flag_columns]

    def sources(self) -> list[str]:
        """Every "task.field" the mapping reads, for checking it against the forms."""
        found = list(self.consent)
        for spec in self.columns.values():
            found.extend(as_list(spec.get("source", [])))
        for spec in self.flags.values():
            found.extend(s for s in as_list(spec["source"]) if s != "done")
        return [s for s in found if "." in s and ":" not in s]


def load_mapping(path: Path = MAPPING_FILE) -> Mapping:
    document = tomllib.loads(path.read_text(encoding="utf-8"))
    export = document["export"]
    return Mapping(
        consent=list(export["consent"]),
        min_cell_size=int(export["min_cell_size"]),
        quasi_identifiers=list(export["quasi_identifiers"]),
        suppressed=str(export["suppressed"]),
        columns=document.get("columns", {}),
        flags=document.get("flags", {}),
    )


def as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


# -- reading one case -------------------------------------------------------------------


def _read(history: CaseHistory, source: str) -> Any:
    if source == "case:year":
        return str(history.created_at.year)
    if source == "case:status":
        return "open" if history.is_open else "closed"
    if source.startswith("fact:"):
        return history.facts.get(source.removeprefix("fact:"))
    task, _, name = source.partition(".")
    step = history.last(task)
    return None if step is None else step.answer(name)


def consented(history: CaseHistory, mapping: Mapping) -> bool:
    """The latest answer to any consent question decides; no answer means no consent."""
    field_of = dict(source.split(".", 1) for source in mapping.consent)
    asked = history.done(*field_of)
    return bool(asked) and asked[-1].answer(field_of[asked[-1].bpmn_id]) is True


def age_band(age: Any, spec: dict[str, Any]) -> str:
    if isinstance(age, bool) or not isinstance(age, int):
        return UNKNOWN
    for low, high in spec["bands"]:
        if low <= age <= high:
            return spec["last_band_label"] if high == spec["bands"][-1][1] else f"{low}-{high}"
    return UNKNOWN


def _column(history: CaseHistory, spec: dict[str, Any]) -> str:
    if "rules" in spec:
        for rule in spec["rules"]:
            if all(history.facts.get(k) == v for k, v in rule["when"].items()):
                return str(rule["value"])
        return str(spec.get("default", UNKNOWN))
    value = next((v for s in as_list(spec["source"]) if (v := _read(history, s)) is not None), None)
    if "bands" in spec:
        return age_band(value, spec)
    if "values" in spec:
        key = str(value).lower() if isinstance(value, bool) else value
        return str(spec["values"].get(key, UNKNOWN)) if value is not None else UNKNOWN
    return UNKNOWN if value is None else str(value)


def _chosen(history: CaseHistory, sources: list[str]) -> set[str]:
    chosen: set[str] = set()
    for source in sources:
        if source == "done":
            chosen.update(step.bpmn_id for step in history.steps)
            continue
        value = _read(history, source)
        if isinstance(value, list):
            chosen.update(str(v) for v in value)
    return chosen


def row_of(history: CaseHistory, mapping: Mapping) -> dict[str, str]:
    row = {name: _column(history, spec) for name, spec in mapping.columns.items()}
    for name, spec in mapping.flags.items():
        chosen = _chosen(history, as_list(spec["source"]))
        for value, ours in spec["values"].items():
            row[f"{name}_{value}"] = "1" if chosen & set(ours) else "0"
    return row


# -- disclosure control -----------------------------------------------------------------


@dataclass
class Suppression:
    blanked_columns: list[str] = field(default_factory=list)
    suppressed_cells: int = 0
    dropped_rows: int = 0


def _small_groups(rows: list[dict[str, str]], keys: list[str], k: int) -> set[tuple[str, ...]]:
    counts = Counter(tuple(r[c] for c in keys) for r in rows)
    return {group for group, n in counts.items() if n < k}


def suppress(
    rows: list[dict[str, str]], mapping: Mapping
) -> tuple[list[dict[str, str]], Suppression]:
    """k-anonymity on the quasi-identifiers by local suppression, and rare flags blanked."""
    k, mark, keys = mapping.min_cell_size, mapping.suppressed, mapping.quasi_identifiers
    report = Suppression()
    rows = [dict(r) for r in rows]
    for column in keys:
        small = _small_groups(rows, keys, k)
        if not small:
            break
        for r in rows:
            if tuple(r[c] for c in keys) in small and r[column] != mark:
                r[column] = mark
                report.suppressed_cells += 1
    small = _small_groups(rows, keys, k)
    kept = [r for r in rows if tuple(r[c] for c in keys) not in small]
    report.dropped_rows = len(rows) - len(kept)
    for column in mapping.flag_columns:
        ones = sum(r[column] == "1" for r in kept)
        if 0 < ones < k:
            report.blanked_columns.append(column)
            for r in kept:
                r[column] = mark
            report.suppressed_cells += len(kept)
    return kept, report


# -- the export -------------------------------------------------------------------------


@dataclass
class Export:
    header: list[str]
    rows: list[dict[str, str]]
    cases_in_period: int
    excluded_without_consent: int
    suppression: Suppression
    min_cell_size: int = 0

    def csv_text(self) -> str:
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=self.header, lineterminator="\n")
        writer.writeheader()
        writer.writerows(self.rows)
        return out.getvalue()

    def summary(self) -> dict[str, Any]:
        return {
            "cases_in_period": self.cases_in_period,
            "excluded_without_consent": self.excluded_without_consent,
            "rows": len(self.rows),
            "dropped_small_cells": self.suppression.dropped_rows,
            "suppressed_cells": self.suppression.suppressed_cells,
            "blanked_columns": self.suppression.blanked_columns,
            "min_cell_size": self.min_cell_size,
        }

    def explanation(self) -> str:
        """Why the file holds the rows it holds, in words (the page and the CLI say it)."""
        s = self.summary()
        why = (
            f"{s['rows']} rows from {s['cases_in_period']} cases registered in the period: "
            f"{s['excluded_without_consent']} left out without consent to reporting, "
            f"{s['dropped_small_cells']} left out because fewer than {s['min_cell_size']} cases "
            f"shared their characteristics (the minimum cell size protects people from being "
            f"recognised), {s['suppressed_cells']} values suppressed"
        )
        if s["blanked_columns"]:
            why += f" (rare columns blanked: {', '.join(s['blanked_columns'])})"
        if not s["rows"] and s["cases_in_period"]:
            why += ". Choose a longer period to export more cases together"
        return why + "."


def build(histories: Iterable[CaseHistory], mapping: Mapping) -> Export:
    total, rows = 0, []
    for history in histories:
        total += 1
        if consented(history, mapping):
            rows.append(row_of(history, mapping))
    excluded = total - len(rows)
    kept, report = suppress(rows, mapping)
    # Sorted by value, so the order of rows cannot be matched with the order of registration.
    kept.sort(key=lambda row: tuple(row.values()))
    return Export(mapping.header, kept, total, excluded, report, mapping.min_cell_size)
