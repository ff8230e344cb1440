"""Passing scenario runs remembered by the digest of everything they read.

The modeller runs the scenarios one by one to show progress, then a deployment runs them
all again. A run is a function of its inputs alone (a fixed clock, a throw-away database,
the code of this process): the pathway files that would be live, the forms they resolve,
the shipped folder fresh scenarios deploy, the configuration the commitments and the
calendar come from, and the scenario's own text. When none of that changed, the earlier
pass stands and the coordinator does not wait twice. Failures are never remembered: one
caused by a resource bound is judged again on the next run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from collections.abc import Iterable
from pathlib import Path

from engine.config import Settings
from engine.definitions.sources import FormLookup, SourceFile
from engine.modeller.outcomes import SimulationResult

MEMO_SIZE = 256


def _folder_digest(hasher, folder: Path | None) -> None:
    """Every file under ``folder`` by relative name and content (the shipped pathways, the
    forms and the configuration are tens of small files)."""
    if folder is None or not folder.is_dir():
        hasher.update(b"\0none")
        return
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        hasher.update(str(path.relative_to(folder)).encode() + b"\0")
        hasher.update(hashlib.sha256(path.read_bytes()).digest())


def deployment_digest(
    settings: Settings, files: Iterable[SourceFile], forms: FormLookup, config_dir: Path
) -> str:
    """What every scenario of one simulation shares: the files, forms and folders it reads."""
    hasher = hashlib.sha256()
    for source in sorted(files, key=lambda f: f.name):
        hasher.update(source.name.encode() + b"\0" + hashlib.sha256(source.data).digest())
        _folder_digest(hasher, source.directory)  # its sibling forms
    hasher.update(json.dumps([forms.extra, forms.deployed], sort_keys=True).encode())
    # The lookup's forms folder is usually the settings' own: each folder is read once.
    for folder in dict.fromkeys(
        (forms.forms_dir, settings.forms_dir, settings.workflows_dir, config_dir)
    ):
        _folder_digest(hasher, folder)
    calendar = settings.calendar_file
    hasher.update(calendar.read_bytes() if calendar.is_file() else b"\0none")
    return hasher.hexdigest()


def scenario_key(deployment: str, name: str, text: str) -> str:
    return hashlib.sha256(f"{deployment}\0{name}\0{text}".encode()).hexdigest()


class SimulationMemo:
    """A bounded, thread-safe map from scenario keys to passing results (least recent out)."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._results: OrderedDict[str, SimulationResult] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> SimulationResult | None:
        with self._lock:
            result = self._results.get(key)
            if result is not None:
                self._results.move_to_end(key)
            return result

    def put(self, key: str, result: SimulationResult) -> None:
        if not result.passed:
            return
        with self._lock:
            self._results[key] = result
            self._results.move_to_end(key)
            while len(self._results) > self._size:
                self._results.popitem(last=False)
