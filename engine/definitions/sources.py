"""Files offered for deployment, and where their forms come from."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from engine.errors import InvalidRequest

DIAGRAM_SUFFIXES = (".bpmn", ".dmn")
MAX_FORM_BYTES = 512 * 1024


@dataclass(frozen=True)
class SourceFile:
    """One BPMN or DMN document; ``name`` is how problems refer to it."""

    name: str
    data: bytes
    directory: Path | None = None  # where sibling form files are looked up first

    @property
    def is_dmn(self) -> bool:
        return self.name.lower().endswith(".dmn")


class FormLookup:
    """Resolve ``formJsonSchemaFilename``: a form edited in the browser (``extra``), beside the
    diagram, in ``forms/``, and last (``deployed``) the snapshot a live version was deployed
    with, so the modeller can redeploy a pathway whose forms came from a folder of its own."""

    def __init__(
        self,
        forms_dir: Path,
        extra: dict[str, Any] | None = None,
        deployed: dict[str, Any] | None = None,
    ) -> None:
        self.forms_dir = forms_dir
        self.extra = extra or {}
        self.deployed = deployed or {}

    def load(self, form_name: str, beside: Path | None) -> tuple[Any | None, str | None]:
        """``(schema, None)`` when found and parsed, ``(None, problem)`` otherwise."""
        if form_name in self.extra:
            return self.extra[form_name], None
        if Path(form_name).name != form_name or form_name.startswith("."):
            return None, f"form file name {form_name!r} must be a plain file name"
        for folder in (beside, self.forms_dir):
            candidate = folder / form_name if folder is not None else None
            if candidate is not None and candidate.is_file():
                return _read_form(candidate)
        if form_name in self.deployed:
            return self.deployed[form_name], None
        return None, f"form file {form_name} not found beside the diagram or in forms/"


def _read_form(candidate: Path) -> tuple[Any | None, str | None]:
    if candidate.stat().st_size > MAX_FORM_BYTES:
        return None, f"form file {candidate.name} is larger than {MAX_FORM_BYTES} bytes"
    try:
        return json.loads(candidate.read_text(encoding="utf-8")), None
    except (json.JSONDecodeError, UnicodeDecodeError) as err:
        return None, f"form file {candidate.name} is not valid JSON: {err}"


def collect(paths: Iterable[Path]) -> list[SourceFile]:
    """Every diagram under the given files and folders, in a stable order."""
    found: list[SourceFile] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                SourceFile(str(p.relative_to(path)), p.read_bytes(), p.parent)
                for p in sorted(path.rglob("*"))
                if p.suffix.lower() in DIAGRAM_SUFFIXES and p.is_file()
            )
        elif path.is_file():
            found.append(SourceFile(path.name, path.read_bytes(), path.parent))
        else:
            raise InvalidRequest(f"{path}: no such file or folder")
    if not found:
        raise InvalidRequest("no .bpmn or .dmn files to deploy")
    return found
