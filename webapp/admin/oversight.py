"""Instance history (diagram, timeline, data of each step) and the operations taken from it.

Every operation needs a reason; the engine audits it with that reason.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext, lazy_gettext

from engine.instances.models import InstanceStatus
from engine.spiff.parsing import element_names
from webapp.admin.blueprint import admin, attempt, form_text, parse_moment
from webapp.admin.timeline import timeline, version_history
from webapp.forms.answers import answer_rows
from webapp.request_input import int_arg
from webapp.security.rules import ADMIN, allow
from webapp.views_support import actor, engine

# What each operation's notice says once done.
STATUS_OPERATIONS = {
    "suspend": lazy_gettext("Instance %(id)s suspended."),
    "resume": lazy_gettext("Instance %(id)s resumed."),
    "terminate": lazy_gettext("Instance %(id)s terminated."),
}


@admin.route("/instances")
@allow(ADMIN)
def instances():
    ref = request.args.get("ref", "").strip()
    status = request.args.get("status", "").strip()
    found = engine().instances(actor=actor().username, case_ref=ref or None, status=status or None)
    return render_template(
        "admin/instances.html",
        instances=found,
        ref=ref,
        status=status,
        statuses=[s.value for s in InstanceStatus],
    )


@admin.route("/instances/<int:instance_id>")
@allow(ADMIN)
def instance(instance_id: int):
    found = engine().instance_map(instance_id, actor=actor().username)
    diagram = [
        {
            "key": p.process_key,
            "name": p.name,
            "version": p.version,
            "source": p.source,
            "completed": p.completed,
            "active": p.active,
            "waiting": sorted({t.bpmn_id for t in found.timers}),
        }
        for p in found.processes
    ]
    names = element_names([p.source for p in found.processes])
    history = engine().history(instance_id, actor=actor().username)
    return render_template(
        "admin/instance.html",
        instance=found,
        diagram=diagram,
        history=timeline(history, names),
        versions=version_history(history),
    )


@admin.route("/events/<bigint:seq>")
@allow(ADMIN)
def event(seq: int):
    """The answers or facts behind one event: decrypted only here, and the opening is audited."""
    entry, data = engine().event_data(seq, actor=actor().username)
    answers = (data or {}).get("answers")
    rows = None
    if isinstance(answers, dict):
        rows = answer_rows(engine().event_form(entry, actor=actor().username), answers)
    return render_template("admin/event.html", entry=entry, data=data, answer_rows=rows)


@admin.route("/instances/<int:instance_id>/status", methods=["POST"])
@allow(ADMIN)
def change_status(instance_id: int):
    operation = form_text("operation")
    reason = form_text("reason")
    if operation in STATUS_OPERATIONS:
        command = getattr(engine(), operation)
        attempt(
            lambda: command(instance_id, actor=actor().username, reason=reason),
            STATUS_OPERATIONS[operation] % {"id": instance_id},
        )
    else:
        flash(gettext("Nothing changed: choose suspend, resume or terminate."), "error")
    return redirect(url_for("admin.instance", instance_id=instance_id))


@admin.route("/tasks/<task_id>/reassign", methods=["POST"])
@allow(ADMIN)
def reassign(task_id: str):
    to_user = form_text("to_user")
    view = attempt(
        lambda: engine().reassign(
            task_id, actor=actor().username, to_user=to_user, reason=form_text("reason")
        ),
        gettext("Task reassigned to %(user)s.", user=to_user),
    )
    return _back_to_instance(view.instance_id if view else None)


@admin.route("/timers/<timer_id>/move", methods=["POST"])
@allow(ADMIN)
def move_timer(timer_id: str):
    instance_id = int_arg("instance_id", form=True)
    attempt(
        lambda: engine().move_timer(
            timer_id,
            actor=actor().username,
            due_at=parse_moment(form_text("due_at")),
            reason=form_text("reason"),
        ),
        gettext("Timer moved."),
    )
    return _back_to_instance(instance_id)


def _back_to_instance(instance_id: int | None):
    if instance_id is None:
        return redirect(url_for("admin.instances"))
    return redirect(url_for("admin.instance", instance_id=instance_id))
