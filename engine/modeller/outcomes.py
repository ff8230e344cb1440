"""What a simulation tells the coordinator, per scenario."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SimulationResult:
    file: str
    name: str
    passed: bool
    detail: str

    def as_dict(self) -> dict[str, object]:
        return {"file": self.file, "name": self.name, "passed": self.passed, "detail": self.detail}
