"""Engine refusals as plain pages (or JSON under /api/): never a stack trace."""

from __future__ import annotations

from flask import Flask, jsonify, render_template, request
from werkzeug.exceptions import HTTPException

from engine.errors import (
    ConflictError,
    EngineError,
    FormValidationFailed,
    GuardRefused,
    InstanceNotRunning,
    NotFound,
    PermissionDenied,
    StorageUnavailable,
)

STATUS = {
    NotFound: 404,
    PermissionDenied: 403,
    ConflictError: 409,
    FormValidationFailed: 422,
    GuardRefused: 422,
    StorageUnavailable: 503,
}
TITLES = {
    400: "Please try again",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    405: "Not allowed",
    409: "Someone else got there first",
    413: "Too large",
    422: "Please check the form",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Not saved: please try again later",
}


def status_of(err: EngineError) -> int:
    for kind, status in STATUS.items():
        if isinstance(err, kind):
            return status
    return 400


def error_body(err: EngineError) -> dict:
    body: dict = {"code": err.code, "message": err.message}
    if isinstance(err, FormValidationFailed):
        body["errors"] = [e.as_dict() for e in err.errors]
    if isinstance(err, GuardRefused):
        body["reasons"] = err.reasons
    return body


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def register(app: Flask) -> None:
    @app.errorhandler(EngineError)
    def engine_error(err: EngineError):
        status = status_of(err)
        if _wants_json():
            return jsonify(error_body(err)), status
        title = "This pathway is on hold" if isinstance(err, InstanceNotRunning) else None
        return render_template(
            "error.html",
            title=title or TITLES.get(status, "Error"),
            message=err.message,
            status=status,
        ), status

    @app.errorhandler(HTTPException)
    def http_error(err: HTTPException):
        status = err.code or 500
        if _wants_json():
            code = {
                401: "unauthorized",
                403: "forbidden",
                404: "not_found",
                405: "method_not_allowed",
                413: "too_large",
                429: "rate_limited",
            }.get(status, "bad_request")
            return jsonify({"code": code, "message": err.description}), status
        message = err.description if status in (400, 429) else TITLES.get(status, "Error")
        return render_template(
            "error.html", title=TITLES.get(status, "Error"), message=message, status=status
        ), status

    @app.errorhandler(Exception)
    def unexpected(err: Exception):
        app.logger.exception("unexpected error")
        if _wants_json():
            return jsonify({"code": "internal_error", "message": "Something went wrong."}), 500
        return render_template(
            "error.html",
            title=TITLES[500],
            message="Nothing was changed. Please try again.",
            status=500,
        ), 500
