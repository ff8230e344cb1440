"""A task's page: instructions, case context and the form; complete, keep a draft, or fix errors."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import FormValidationFailed, GuardRefused
from webapp.forms.fields import Field, fields_of, value_at
from webapp.forms.parse import parse, repeat_rows
from webapp.i18n import translated
from webapp.security.rules import SIGNED_IN, allow
from webapp.views_support import actor, engine

tasks = Blueprint("tasks", __name__)


def _titles(fields: list[Field]) -> dict[str, str]:
    titles = {}
    for item in fields:
        titles[item.path] = item.title
        titles.update(_titles(item.children))
    return titles


def _repeats(fields: list[Field]) -> list[str]:
    paths = []
    for item in fields:
        if item.kind == "repeat":
            paths.append(item.path)
        paths.extend(_repeats(item.children))
    return paths


def _page(
    details,
    values: dict[str, Any],
    *,
    errors=None,
    refusals=None,
    draft_saved=False,
    extra_rows: dict[str, int] | None = None,
    status: int = 200,
):
    schema = details.schema or {"type": "object", "properties": {}}
    fields = fields_of(schema)
    rows = {
        path: repeat_rows(values, path, (extra_rows or {}).get(path, 0))
        for path in _repeats(fields)
    }
    titles = _titles(fields)
    errors = errors or {}
    in_form_order = {path: errors[path] for path in titles if path in errors}
    in_form_order.update({p: m for p, m in errors.items() if p not in in_form_order})
    return render_template(
        "task.html",
        details=details,
        schema=schema,
        fields=fields,
        values=values,
        errors=errors,
        form_errors=in_form_order,
        refusals=refusals or [],
        rows=rows,
        titles=titles,
        draft_saved=draft_saved,
    ), status


@tasks.route("/tasks/<task_id>", methods=["GET"])
@allow(SIGNED_IN)
def show(task_id: str):
    details = engine().task_details(task_id, actor=actor().username)
    return _page(details, details.draft or {})


def _edit(details, task_id: str, answers: dict[str, Any], action: str):
    """Actions that change nothing in the case: keep a draft, add or remove a repeated row."""
    if action == "save_draft":
        engine().save_draft(task_id, actor=actor().username, answers=answers)
        return _page(details, answers, draft_saved=True)
    details = engine().task_details(task_id, actor=actor().username)  # the page, shown again
    if action.startswith("add:"):
        return _page(details, answers, extra_rows={action[4:]: 1})
    if action.startswith("remove:"):
        path, _, index = action[7:].rpartition(":")
        current = value_at(answers, path)
        if isinstance(current, list) and index.isdigit() and int(index) < len(current):
            current.pop(int(index))
    return _page(details, answers)


@tasks.route("/tasks/<task_id>", methods=["POST"])
@allow(SIGNED_IN)
def act(task_id: str):
    # One write per request: the form is read unaudited to parse the answers; completing,
    # keeping a draft or showing the page again is the request's one audited write.
    details = engine().task_form(task_id, actor=actor().username)
    fields = fields_of(details.schema or {"type": "object", "properties": {}})
    answers = parse(fields, request.form)
    action = request.form.get("_action", "complete")
    if action != "complete":
        return _edit(details, task_id, answers, action)
    try:
        result = engine().complete_task(task_id, actor=actor().username, answers=answers)
    except FormValidationFailed as err:
        return _page(details, answers, errors={e.path: e.message for e in err.errors}, status=422)
    except GuardRefused as err:
        return _page(details, answers, refusals=err.reasons, status=422)
    flash(
        gettext(
            "Done: “%(task)s” for %(case)s.",
            task=translated(details.task.title),
            case=result.case_ref,
        ),
        "ok",
    )
    mine = [
        t
        for t in engine().tasks_for(actor().username, case_ref=result.case_ref)
        if t.id in result.next_task_ids
    ]
    if mine:
        return redirect(url_for("tasks.show", task_id=mine[0].id))
    return redirect(url_for("inbox.home"))
