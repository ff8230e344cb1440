"""Migrating running cases to a newer pathway version, from the console.

Coordinators and administrators: the pathways with cases on older versions, then one
pathway's plan (who can move, and why the others cannot), the comparison of the versions,
and the move itself with its reason. Each case moves in a transaction of its own.
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext

from webapp.admin.blueprint import CORRECTABLE, admin, form_text
from webapp.request_input import int_arg
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine


@admin.route("/migrations")
@allow(COORDINATOR)
def migrations():
    return render_template(
        "admin/migrations.html", waiting=engine().migrations_waiting(actor=actor().username)
    )


@admin.route("/migrations/<process_key>", methods=["GET", "POST"])
@allow(COORDINATOR)
def migration(process_key: str):
    versions = engine().versions(process_key, actor=actor().username)
    if not versions:
        abort(404)
    latest = versions[0].version
    to_version = int_arg("to") or latest
    from_version = int_arg("from")
    outcome, error = _run(process_key, to_version) if request.method == "POST" else (None, None)
    try:
        plan = engine().migration_plan(
            process_key, to_version, actor=actor().username, from_version=from_version
        )
    except CORRECTABLE as err:
        plan, error = [], error or err.message
    return render_template(
        "admin/migration.html",
        process_key=process_key,
        name=versions[0].name,
        versions=versions,
        to_version=to_version,
        from_version=from_version,
        plan=plan,
        from_versions=sorted({line.from_version for line in plan}),
        outcome=outcome,
        error=error,
    )


def _run(process_key: str, to_version: int):
    """(the outcome, or the refusal's words): only the cases ticked on the page move."""
    chosen = [int(i) for i in request.form.getlist("instance") if i.isdigit() and len(i) < 12]
    if not chosen:
        return None, gettext("Choose at least one case to migrate.")
    try:
        outcome = engine().migrate(
            process_key,
            to_version,
            actor=actor().username,
            reason=form_text("reason"),
            instance_ids=chosen,
        )
    except CORRECTABLE as err:
        return None, err.message
    return outcome, None
