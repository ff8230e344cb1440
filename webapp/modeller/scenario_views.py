"""Scenarios in the modeller: the list, and an editor to check, draft, run and retire one.

A scenario is YAML text checked on the server (the same reader the deployment gate uses);
running shows each step passed, failed or not run. Drafts go live with the next deployment
whose scenarios all pass (``engine/modeller/scenario_catalogue.py``).
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext

from engine.errors import EngineError, NotFound
from engine.modeller.scenario_catalogue import check_name
from webapp.modeller.blueprint import modeller
from webapp.security.rules import COORDINATOR, allow
from webapp.views_support import actor, engine

STARTER = """name: What this scenario proves, in one sentence
proves: []
steps:
  - start: identification
    as: first_responder
  - expect:
      open_tasks: [first_contact_screening]
"""


@modeller.route("/scenarios")
@allow(COORDINATOR)
def scenarios():
    wanted = request.args.get("new", "").strip()
    if wanted:
        name = wanted if wanted.endswith(".yaml") else f"{wanted}.yaml"
        return redirect(url_for("modeller.scenario", name=check_name(name), new=1))
    return render_template(
        "modeller/scenarios.html", scenarios=engine().scenarios(actor=actor().username)
    )


@modeller.route("/scenarios/<name>", methods=["GET", "POST"])
@allow(COORDINATOR)
def scenario(name: str):
    """GET opens the scenario (a draft if one waits); POST checks, saves, runs, discards or
    retires, then shows the page again with what happened."""
    name = check_name(name)
    results, checked = None, None
    if request.method == "GET":
        try:
            text, is_draft = engine().scenario_text(name, actor=actor().username)
        except NotFound:
            if not request.args.get("new"):
                raise
            text, is_draft = STARTER, False
        return _page(name, text, is_draft)
    text = request.form.get("source", "")
    operation = request.form.get("_action", "check")
    try:
        if operation == "save":
            engine().save_scenario_draft(name, text, actor=actor().username)
            flash(gettext("Draft saved. It goes live with the next deployment."), "ok")
            return redirect(url_for("modeller.scenario", name=name))
        if operation == "discard":
            engine().discard_scenario_draft(name, actor=actor().username)
            flash(gettext("The draft of %(name)s was discarded.", name=name), "ok")
            return redirect(url_for("modeller.scenarios"))
        if operation == "retire":
            engine().retire_scenario(
                name, actor=actor().username, reason=request.form.get("reason", "")
            )
            flash(gettext("%(name)s will be retired at the next deployment.", name=name), "ok")
            return redirect(url_for("modeller.scenarios"))
        checked = engine().check_scenario(name, text, actor=actor().username)
        if operation in ("run", "run_all"):
            results = engine().run_scenarios(
                actor=actor().username,
                only=name if operation == "run" else None,
                typed=(name, text),
            )
    except EngineError as err:
        flash(gettext("Nothing changed: %(why)s", why=err.message), "error")
    return _page(name, text, None, checked=checked, results=results)


def _page(name: str, text: str, is_draft: bool | None, **shown):
    return render_template(
        "modeller/scenario.html", name=name, text=text, is_draft=is_draft, **shown
    )
