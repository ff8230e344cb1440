"""The form catalogue: edit a JSON Schema as text, see it rendered, save it for the next deploy."""

from __future__ import annotations

from flask import flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import EngineError, NotFound
from engine.modeller.catalogue import check_form_name, form_problems
from webapp.forms.fields import fields_of
from webapp.modeller.blueprint import json_field, modeller
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine


@modeller.route("/forms")
@allow(COORDINATOR)
def forms():
    wanted = request.args.get("new", "").strip()
    if wanted:
        return redirect(url_for("modeller.form", name=check_form_name(wanted), new=1))
    return render_template("modeller/forms.html", names=engine().form_names(actor=actor().username))


STARTER = """{
  "title": "New form",
  "type": "object",
  "properties": {
    "notes": {"type": "string", "title": "Notes", "x-widget": "textarea"}
  },
  "required": ["notes"]
}
"""


def _preview(text: str) -> dict:
    """The form as a caseworker would see it, or why it cannot be shown."""
    schema, problems = form_problems(text)
    fields = []
    if not problems:
        try:
            fields = fields_of(schema)
        except (KeyError, TypeError, ValueError) as err:
            problems = [gettext("the form cannot be drawn: %(why)s", why=err)]
    return {"schema": schema or {}, "problems": problems, "fields": fields}


@modeller.route("/forms/<name>", methods=["GET", "POST"])
@allow(COORDINATOR)
def form(name: str):
    """GET shows the saved form; POST previews (``_action=preview``) or saves what was typed."""
    if request.method == "GET":
        try:
            text = engine().form_text(name, actor=actor().username)
        except NotFound:
            if not request.args.get("new"):
                raise
            text = STARTER
    else:
        text = request.form.get("schema", "")
        if request.form.get("_action") == "save":
            try:
                engine().save_form(check_form_name(name), text, actor=actor().username)
            except EngineError as err:
                flash(gettext("Not saved: %(why)s", why=err.message), "error")
            else:
                flash(
                    gettext(
                        "%(name)s saved. Pathways use it from their next deployment.", name=name
                    ),
                    "ok",
                )
                return redirect(url_for("modeller.form", name=name))
    return render_template("modeller/form.html", name=name, text=text, **_preview(text))


@modeller.route("/forms/<name>/preview", methods=["POST"])
@allow(COORDINATOR)
def form_preview(name: str):
    """The live preview: the rendered fields as HTML, and the problems, for the editor's script."""
    preview = _preview(json_field("schema"))
    html = render_template("modeller/_form_preview.html", **preview)
    return jsonify({"ok": not preview["problems"], "problems": preview["problems"], "html": html})
