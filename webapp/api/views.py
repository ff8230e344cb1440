"""JSON API v1: the same operations as the pages, for integrations, with bearer tokens.

Errors are JSON with a stable ``code``: ``validation_failed`` (with field paths),
``refused``, ``conflict``, ``forbidden``, ``not_found``, ``unauthorized``.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, jsonify

from webapp.api.openapi import document
from webapp.request_input import json_body
from webapp.security.rules import PUBLIC, SIGNED_IN, allow
from webapp.views_support import actor, engine

api = Blueprint("api", __name__, url_prefix="/api/v1")


def _body() -> dict[str, Any]:
    """The JSON object sent, read with bounds (``webapp/request_input.py``); else a plain 400."""
    data = json_body()
    if not isinstance(data, dict):
        abort(400, description="send a JSON object")
    return data


def _task_json(view) -> dict[str, Any]:
    return view.as_dict()


@api.route("/openapi.json")
@allow(PUBLIC)
def openapi():
    return jsonify(document())


@api.route("/tasks")
@allow(SIGNED_IN)
def my_tasks():
    return jsonify({"tasks": [_task_json(v) for v in engine().tasks_for(actor().username)]})


@api.route("/tasks/<task_id>")
@allow(SIGNED_IN)
def get_task(task_id: str):
    details = engine().task_details(task_id, actor=actor().username)
    body = _task_json(details.task)
    body.update(schema=details.schema, instructions=details.instructions, pathway=details.pathway)
    return jsonify(body)


@api.route("/tasks/<task_id>/claim", methods=["POST"])
@allow(SIGNED_IN)
def claim_task(task_id: str):
    return jsonify(_task_json(engine().claim(task_id, actor=actor().username)))


@api.route("/tasks/<task_id>/complete", methods=["POST"])
@allow(SIGNED_IN)
def complete_task(task_id: str):
    answers = _body().get("answers")
    if not isinstance(answers, dict):
        abort(400, description='send {"answers": {...}}')
    return jsonify(
        engine().complete_task(task_id, actor=actor().username, answers=answers).as_dict()
    )


@api.route("/cases", methods=["POST"])
@allow(SIGNED_IN)
def start_case():
    body = _body()
    started = engine().start(
        str(body.get("process_key", "identification")),
        actor=actor().username,
        case_ref=body.get("case_ref"),
        data=body.get("data"),
    )
    return jsonify(started.as_dict()), 201


@api.route("/messages", methods=["POST"])
@allow(SIGNED_IN)
def send_message():
    """Who may send which message is the engine's rule (the waiting element's lane role)."""
    body = _body()
    sent = engine().send_message(
        body.get("name"),
        actor=actor().username,
        case_ref=body.get("case_ref"),
        keys=body.get("keys"),
        data=body.get("data"),
    )
    return jsonify(sent.as_dict())


@api.route("/cases/<ref>")
@allow(SIGNED_IN)
def case_status(ref: str):
    case = engine().view_case(ref, actor=actor().username)
    return jsonify(
        {
            "case_ref": case.ref,
            "status": case.status,
            "pathways": [
                {
                    "instance_id": p.instance_id,
                    "process_key": p.process_key,
                    "name": p.name,
                    "version": p.version,
                    "status": p.status,
                    "open_tasks": [
                        {
                            "id": t.id,
                            "title": t.title,
                            "role": t.role,
                            "due_at": t.due_at.isoformat() if t.due_at else None,
                        }
                        for t in p.open_tasks
                    ],
                }
                for p in case.pathways
            ],
            "timers": [{"name": t.name, "due_at": t.due_at.isoformat()} for t in case.timers],
            "completed_tasks": [
                {
                    "title": t.title,
                    "completed_by": t.completed_by,
                    "completed_at": t.completed_at.isoformat() if t.completed_at else None,
                }
                for t in case.completed_tasks
            ],
            "commitments": [_commitment(c) for c in case.commitments],
        }
    )


def _commitment(status) -> dict:
    return {
        "key": status.key,
        "title": status.title,
        "status": status.status,
        "explanation": status.text(),
        "expected_by": status.expected_by.isoformat() if status.expected_by else None,
        "evidence": [
            {"task": e.title, "by": e.actor, "at": e.at.isoformat(), "note": e.text()}
            for e in status.evidence
        ],
    }
