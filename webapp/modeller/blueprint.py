"""The modeller's blueprint and the JSON helpers its editor calls share."""

from __future__ import annotations

from flask import Blueprint, abort, jsonify
from flask_babel import gettext

from engine.errors import DeploymentRefused, EngineError, InvalidRequest
from webapp.errors import error_body, status_of
from webapp.request_input import json_body

modeller = Blueprint("modeller", __name__, url_prefix="/modeller")


def json_field(name: str) -> str:
    """A string field of the editor's JSON request body; a missing one is a plain 400."""
    body = json_body()
    value = body.get(name) if isinstance(body, dict) else None
    if not isinstance(value, str):
        abort(400, description=gettext("The request needs a '%(name)s' text field.", name=name))
    return value


def refusal(err: EngineError):
    body = error_body(err)
    if isinstance(err, DeploymentRefused):
        body["problems"] = [{**p.as_dict(), "level": "error"} for p in err.problems]
    results = getattr(err, "results", None)
    if results is not None:
        body["scenarios"] = [r.as_dict() for r in results]
    status = 422 if isinstance(err, (DeploymentRefused, InvalidRequest)) else status_of(err)
    return jsonify(body), status
