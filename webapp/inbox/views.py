"""The inbox and the small actions taken from it."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.tasks.inbox import COUNT_CAP, InboxFilters
from webapp.i18n import translated
from webapp.security.rules import SIGNED_IN, SUPERVISOR, allow
from webapp.views_support import actor, engine

inbox = Blueprint("inbox", __name__)
FILTER_KEYS = ("pathway", "role", "case")


@inbox.route("/")
@allow(SIGNED_IN)
def home():
    args = {
        k: request.args.get(k, "").strip() for k in FILTER_KEYS if request.args.get(k, "").strip()
    }
    filters = InboxFilters(args.get("pathway"), args.get("role"), args.get("case"))
    page = engine().inbox(
        actor().username,
        tab=request.args.get("tab", "roles"),
        filters=filters,
        cursor=request.args.get("after"),
    )
    names = {
        key: translated(name)
        for key, name in engine().process_names(actor=actor().username).items()
    }
    return render_template(
        "inbox.html",
        page=page,
        filter_args=args,
        pathways=sorted(names.items(), key=lambda kv: kv[1]),
        roles=sorted(actor().roles),
        is_supervisor=actor().is_supervisor,
        count_cap=COUNT_CAP,
    )


@inbox.route("/tasks/<task_id>/claim", methods=["POST"])
@allow(SIGNED_IN)
def claim(task_id: str):
    view = engine().claim(task_id, actor=actor().username)
    flash(gettext("You claimed “%(task)s”.", task=translated(view.title)), "ok")
    return redirect(url_for("tasks.show", task_id=task_id))


@inbox.route("/tasks/<task_id>/unclaim", methods=["POST"])
@allow(SIGNED_IN)
def unclaim(task_id: str):
    view = engine().unclaim(task_id, actor=actor().username)
    flash(gettext("“%(task)s” is back with its role.", task=translated(view.title)), "ok")
    return redirect(url_for("inbox.home"))


@inbox.route("/tasks/<task_id>/reassign", methods=["POST"])
@allow(SUPERVISOR)
def reassign(task_id: str):
    view = engine().reassign(
        task_id,
        actor=actor().username,
        to_user=request.form.get("to_user", "").strip(),
        reason=request.form.get("reason", ""),
    )
    flash(
        gettext(
            "“%(task)s” is now assigned to %(user)s.",
            task=translated(view.title),
            user=view.assignee,
        ),
        "ok",
    )
    return redirect(url_for("inbox.home"))
