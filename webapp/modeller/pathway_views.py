"""Pathway files: the list, the bpmn-js editor and its JSON calls, versions and comparison."""

from __future__ import annotations

from flask import (
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext

from engine.errors import EngineError, InvalidRequest
from webapp.modeller.blueprint import json_field, modeller, refusal
from webapp.modeller.ui_texts import ui_texts
from webapp.request_input import int_arg, json_body
from webapp.security.headers import allow_inline_styles
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


@modeller.route("/")
@allow(COORDINATOR)
def pathways():
    return render_template(
        "modeller/pathways.html",
        files=engine().pathway_files(actor=actor().username),
        roles=engine().roles(actor=actor().username),
    )


@modeller.route("/files/<file_name>")
@allow(COORDINATOR)
def edit(file_name: str):
    source, is_draft = engine().working_source(file_name, actor=actor().username)
    deployed = engine().definitions(actor=actor().username)
    keys = sorted(d["process_key"] for d in deployed if d["kind"] == "bpmn")
    decisions = sorted(d["process_key"] for d in deployed if d["kind"] == "dmn")
    kind = "dmn" if file_name.endswith(".dmn") else "bpmn"
    page = render_template(
        "modeller/editor.html",
        file_name=file_name,
        is_draft=is_draft,
        ui_texts=ui_texts(),
        editor={
            "file": file_name,
            "kind": kind,
            "source": source,
            "roles": engine().roles(actor=actor().username),
            "forms": engine().form_names(actor=actor().username),
            "processes": keys,
            "decisions": decisions,
            "scenarios": engine().scenario_files(actor=actor().username),
            "urls": {
                action: url_for(f"modeller.{action}", file_name=file_name)
                for action in ("validate", "save_draft", "simulate", "deploy")
            },
        },
    )
    return allow_inline_styles(make_response(page)) if kind == "dmn" else page


def _json_call(operation):
    try:
        return operation()
    except EngineError as err:
        return refusal(err)


@modeller.route("/files/<file_name>/validate", methods=["POST"])
@allow(COORDINATOR)
def validate(file_name: str):
    source = json_field("source")
    return _json_call(
        lambda: jsonify(engine().check_source(file_name, source, actor=actor().username).as_dict())
    )


@modeller.route("/files/<file_name>/draft", methods=["POST"])
@allow(COORDINATOR)
def save_draft(file_name: str):
    source = json_field("source")

    def save():
        engine().save_pathway_draft(file_name, source, actor=actor().username)
        return jsonify({"saved": True, "message": gettext("Draft saved. It is not live.")})

    return _json_call(save)


@modeller.route("/files/<file_name>/simulate", methods=["POST"])
@allow(COORDINATOR)
def simulate(file_name: str):
    source = json_field("source")
    body = json_body()
    only = body.get("scenario") if isinstance(body, dict) else None

    def run():
        if only is not None and not isinstance(only, str):
            raise InvalidRequest("scenario is a scenario file name")
        results = engine().simulate(file_name, source, actor=actor().username, only=only)
        return jsonify(
            {"passed": all(r.passed for r in results), "scenarios": [r.as_dict() for r in results]}
        )

    return _json_call(run)


@modeller.route("/files/<file_name>/deploy", methods=["POST"])
@allow(COORDINATOR)
def deploy(file_name: str):
    source, note = json_field("source"), json_field("note")

    def run():
        results = engine().deploy_source(
            file_name, source, actor=actor().username, change_note=note
        )
        changed = [r.as_dict() for r in results if r.changed]
        return jsonify({"deployed": changed, "unchanged": not changed})

    return _json_call(run)


@modeller.route("/files/<file_name>/discard", methods=["POST"])
@allow(COORDINATOR)
def discard(file_name: str):
    engine().discard_pathway_draft(file_name, actor=actor().username)
    flash(gettext("The draft of %(file)s was discarded.", file=file_name), "ok")
    return redirect(url_for("modeller.pathways"))


@modeller.route("/upload", methods=["POST"])
@allow(COORDINATOR)
def upload():
    """A diagram drawn elsewhere becomes a draft; hostile or broken XML is refused here."""
    sent = request.files.get("diagram")
    if sent is None or not sent.filename:
        abort(400, description=gettext("Choose a .bpmn or .dmn file to upload."))
    data = sent.read(MAX_UPLOAD_BYTES + 1)
    name = (request.form.get("file_name") or sent.filename or "").strip()
    try:
        if len(data) > MAX_UPLOAD_BYTES:
            raise InvalidRequest(
                gettext(
                    "a diagram may be at most %(megabytes)d MB",
                    megabytes=MAX_UPLOAD_BYTES // 2**20,
                )
            )
        engine().save_pathway_draft(name, data.decode("utf-8"), actor=actor().username)
    except (EngineError, UnicodeDecodeError) as err:
        message = (
            err.message if isinstance(err, EngineError) else gettext("the file is not UTF-8 text")
        )
        flash(gettext("Not uploaded: %(why)s", why=message), "error")
        return redirect(url_for("modeller.pathways"))
    flash(
        gettext("%(name)s uploaded as a draft. Validate and deploy it from the editor.", name=name),
        "ok",
    )
    return redirect(url_for("modeller.edit", file_name=name))


@modeller.route("/new", methods=["POST"])
@allow(COORDINATOR)
def new_file():
    """A blank diagram (a pool, a lane, a start event) or decision table to draw from."""
    name = (request.form.get("file_name") or "").strip()
    try:
        name = engine().new_pathway_file(
            name, actor=actor().username, role=request.form.get("role") or "caseworker"
        )
    except EngineError as err:
        flash(gettext("Not created: %(why)s", why=err.message), "error")
        return redirect(url_for("modeller.pathways"))
    return redirect(url_for("modeller.edit", file_name=name))


@modeller.route("/processes/<process_key>")
@allow(COORDINATOR)
def versions(process_key: str):
    found = engine().versions(process_key, actor=actor().username)
    if not found:
        abort(404)
    return render_template(
        "modeller/versions.html",
        process_key=process_key,
        versions=found,
        waiting=engine().shipped_waiting(process_key, actor=actor().username),
    )


@modeller.route("/files/<file_name>/draft-from-shipped", methods=["POST"])
@allow(COORDINATOR)
def draft_from_shipped(file_name: str):
    """Carry an edit over: the new shipped file becomes the draft, opened in the editor."""
    engine().draft_from_shipped(file_name, actor=actor().username)
    flash(
        gettext(
            "The new shipped %(file)s is now your draft: make your edit again, then deploy.",
            file=file_name,
        ),
        "ok",
    )
    return redirect(url_for("modeller.edit", file_name=file_name))


@modeller.route("/processes/<process_key>/compare")
@allow(COORDINATOR)
def compare(process_key: str):
    """Two versions; or (``new=shipped``) a version and the new shipped file waiting behind an
    edit made here."""
    shipped = request.args.get("new") == "shipped"
    old, new = int_arg("old"), None if shipped else int_arg("new")
    if old is None or (new is None and not shipped):
        abort(400, description=gettext("Choose two versions to compare."))
    if shipped:
        comparison, before, after = engine().compare_with_shipped(
            process_key, old, actor=actor().username
        )
    else:
        comparison, before, after = engine().compare_versions(
            process_key, old, new, actor=actor().username
        )
    return render_template(
        "modeller/compare.html",
        process_key=process_key,
        old=old,
        new=new,
        new_title=gettext("the new shipped file") if shipped else None,
        comparison=comparison,
        diagram={
            "key": process_key,
            "before": before,
            "after": after,
            **comparison.as_dict(),
        },
    )
