"""The OpenAPI 3.1 description of /api/v1, written out by hand so it says what the code does."""

from __future__ import annotations

from typing import Any

ERROR = {
    "type": "object",
    "required": ["code", "message"],
    "properties": {
        "code": {
            "type": "string",
            "enum": [
                "validation_failed",
                "refused",
                "conflict",
                "forbidden",
                "not_found",
                "unauthorized",
                "bad_request",
                "invalid_request",
                "step_failed",
                "rate_limited",
                "too_large",
                "method_not_allowed",
                "internal_error",
            ],
        },
        "message": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {"path": {"type": "string"}, "message": {"type": "string"}},
            },
        },
        "reasons": {"type": "array", "items": {"type": "string"}},
    },
}
TASK = {
    "type": "object",
    "required": [
        "id",
        "bpmn_id",
        "title",
        "case_ref",
        "instance_id",
        "role",
        "assignee",
        "due_at",
        "form",
    ],
    "properties": {
        "id": {"type": "string"},
        "bpmn_id": {"type": "string"},
        "title": {"type": "string"},
        "case_ref": {"type": "string"},
        "instance_id": {"type": "integer"},
        "process_key": {"type": "string"},
        "role": {"type": ["string", "null"]},
        "assignee": {"type": ["string", "null"]},
        "due_at": {"type": ["string", "null"], "format": "date-time"},
        "form": {"type": ["string", "null"]},
        "state": {"type": "string"},
        "created_at": {"type": "string", "format": "date-time"},
    },
}


def _errors(*statuses: int) -> dict[str, Any]:
    names = {
        400: "Bad request",
        401: "No or bad token",
        403: "Not allowed",
        404: "Not found",
        409: "Someone else changed it first",
        422: "Answers refused",
    }
    return {
        str(s): {
            "description": names[s],
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
        for s in statuses
    }


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def document() -> dict[str, Any]:
    task_id = {"name": "task_id", "in": "path", "required": True, "schema": {"type": "string"}}
    ref = {
        "name": "ref",
        "in": "path",
        "required": True,
        "schema": {"type": "string", "pattern": "^PP-\\d{4}-\\d{6}$"},
    }
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Protection Pathways API",
            "version": "1",
            "description": "Tasks and cases. Authenticate with `Authorization: Bearer <token>` "
            "(`pathways tokens create --as USER`).",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "schemas": {"Error": ERROR, "Task": TASK},
        },
        "paths": {
            "/tasks": {
                "get": {
                    "summary": "Tasks I may act on",
                    "operationId": "listTasks",
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "tasks": {
                                        "type": "array",
                                        "items": {"$ref": "#/components/schemas/Task"},
                                    }
                                },
                            }
                        ),
                        **_errors(401),
                    },
                }
            },
            "/tasks/{task_id}": {
                "get": {
                    "summary": "A task with its form's JSON Schema",
                    "operationId": "getTask",
                    "parameters": [task_id],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Task"}),
                        **_errors(401, 404),
                    },
                }
            },
            "/tasks/{task_id}/claim": {
                "post": {
                    "summary": "Claim a task",
                    "operationId": "claimTask",
                    "parameters": [task_id],
                    "responses": {
                        "200": _json({"$ref": "#/components/schemas/Task"}),
                        **_errors(401, 403, 404, 409),
                    },
                }
            },
            "/tasks/{task_id}/complete": {
                "post": {
                    "summary": "Complete a task with the form's answers",
                    "operationId": "completeTask",
                    "parameters": [task_id],
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["answers"],
                                    "properties": {"answers": {"type": "object"}},
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json({"type": "object"}),
                        **_errors(400, 401, 403, 404, 409, 422),
                    },
                }
            },
            "/cases": {
                "post": {
                    "summary": "Start a pathway (a first-contact screening by default)",
                    "operationId": "startCase",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "properties": {
                                        "process_key": {"type": "string"},
                                        "case_ref": {"type": "string"},
                                        "data": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "201": _json({"type": "object"}, "Started"),
                        **_errors(400, 401, 403, 404),
                    },
                }
            },
            "/messages": {
                "post": {
                    "summary": "Deliver a BPMN message to the pathways waiting for it",
                    "description": "To the waiting elements of the case's running pathways "
                    "(`case_ref`) or of those whose correlation values match (`keys`); a "
                    "pathway that starts on this message starts when nothing waits. The "
                    "sender needs the role of the waiting element's lane. 404 when nothing "
                    "waits: nothing is dropped silently.",
                    "operationId": "sendMessage",
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["name"],
                                    "properties": {
                                        "name": {"type": "string"},
                                        "case_ref": {"type": "string"},
                                        "keys": {
                                            "type": "object",
                                            "additionalProperties": {"type": "string"},
                                        },
                                        "data": {"type": "object"},
                                    },
                                }
                            }
                        },
                    },
                    "responses": {
                        "200": _json(
                            {
                                "type": "object",
                                "properties": {
                                    "delivered": {"type": "array", "items": {"type": "integer"}},
                                    "started": {"type": "array", "items": {"type": "integer"}},
                                },
                            },
                            "Delivered (instance ids)",
                        ),
                        **_errors(400, 401, 403, 404, 409, 422),
                    },
                }
            },
            "/cases/{ref}": {
                "get": {
                    "summary": "A case's pathways, open tasks and timers",
                    "operationId": "getCase",
                    "parameters": [ref],
                    "responses": {"200": _json({"type": "object"}), **_errors(401, 404)},
                }
            },
        },
    }
