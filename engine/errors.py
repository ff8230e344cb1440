"""Errors the engine raises on purpose.

Each carries a stable ``code`` so the CLI, the web pages and the JSON API can
map it to an exit status, an HTTP status and a plain message without parsing
text. Anything else escaping the engine is a bug.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class RefusalNote:
    """An audit event a refusal carries: written after the refused command rolled back.

    Looking for a case one may not open is itself worth knowing; the command's own
    transaction cannot keep that record (it rolls back), so the engine writes it in
    a transaction of its own and then raises (``EngineCore.write``).
    """

    actor: str
    action: str
    detail: dict[str, Any] = field(default_factory=dict)
    case_ref: str | None = None


class EngineError(Exception):
    code = "engine_error"
    exit_status = 1

    def __init__(self, message: str, *, audit: RefusalNote | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.audit = audit


class NotFound(EngineError):
    code = "not_found"
    exit_status = 4


class PermissionDenied(EngineError):
    code = "forbidden"
    exit_status = 3


class ConflictError(EngineError):
    """Someone else changed the instance first; nothing of this attempt was written."""

    code = "conflict"
    exit_status = 5

    def __init__(self, message: str, *, task_id: str | None = None) -> None:
        super().__init__(message)
        self.task_id = task_id


class InstanceNotRunning(ConflictError):
    """The process is suspended or ended: an administrator holds it, nothing may move it on."""

    code = "instance_not_running"


class StorageUnavailable(EngineError):
    """The database refused the write (read-only file, full disk, lost connection).

    The transaction rolled back, so nothing of the attempt was written.
    """

    code = "storage_unavailable"
    exit_status = 6


class WorkflowStepFailed(EngineError):
    """A script, condition or timer expression failed while the engine ran steps.

    The transaction is rolled back: the instance stays exactly as it was before
    the attempt, and the error names the step.
    """

    code = "step_failed"
    exit_status = 6


class InvalidRequest(EngineError):
    code = "invalid_request"
    exit_status = 2


@dataclass(frozen=True)
class FieldError:
    """One problem with one field of a submitted form; ``path`` is dotted (``household.0.age``)."""

    path: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"path": self.path, "message": self.message}


class FormValidationFailed(EngineError):
    code = "validation_failed"
    exit_status = 2

    def __init__(self, errors: list[FieldError]) -> None:
        lines = "; ".join(f"{e.path or '(form)'}: {e.message}" for e in errors)
        super().__init__(f"The form has {len(errors)} problem(s): {lines}")
        self.errors = errors


@dataclass(frozen=True)
class Problem:
    """One reason a deployment was refused: which file, which element, what is wrong."""

    file: str
    element_id: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}#{self.element_id}" if self.element_id else self.file
        return f"{where}: {self.message}"

    def as_dict(self) -> dict[str, str | None]:
        return {"file": self.file, "element_id": self.element_id, "message": self.message}


class DeploymentRefused(EngineError):
    code = "deployment_refused"
    exit_status = 2

    def __init__(self, problems: list[Problem]) -> None:
        listing = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"Deployment refused, {len(problems)} problem(s):\n{listing}")
        self.problems = problems


class GuardRefused(EngineError):
    """A pathway rule refused the step (e.g. a return during the reflection period)."""

    code = "refused"
    exit_status = 2

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("Refused: " + " ".join(reasons))
        self.reasons = reasons


class ScriptRefused(EngineError):
    """A script or expression broke the sandbox rules or its resource bounds."""

    code = "script_refused"
    exit_status = 2
