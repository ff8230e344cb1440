"""What a simulation tells the coordinator, per scenario."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class SimulationResult:
    file: str
    name: str
    passed: bool
    detail: str
    # (what the step does, "passed" / "failed" / "not run"), in order
    steps: list[tuple[str, str]] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "file": self.file,
            "name": self.name,
            "passed": self.passed,
            "detail": self.detail,
            "steps": [{"step": step, "result": result} for step, result in self.steps],
        }
