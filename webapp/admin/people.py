"""Users, their roles (the lanes of the pathways), their sign-in state and their case access."""

from __future__ import annotations

from flask import abort, redirect, render_template, request, url_for
from flask_babel import gettext

from webapp.admin.blueprint import admin, attempt, form_text
from webapp.security.rules import ADMIN, allow
from webapp.views_support import actor, engine


@admin.route("/users")
@allow(ADMIN)
def users():
    return render_template(
        "admin/users.html",
        users=engine().users(actor=actor().username),
        roles=engine().roles(actor=actor().username),
    )


@admin.route("/users", methods=["POST"])
@allow(ADMIN)
def create_user():
    username = form_text("username")

    def create() -> bool:
        engine().add_user(
            username,
            roles=request.form.getlist("roles"),
            password=request.form.get("password", ""),
            display_name=form_text("display_name"),
            actor=actor().username,
            must_change_password=True,
        )
        return True

    done = gettext(
        "User %(user)s created; they choose their own password at first sign-in.", user=username
    )
    if attempt(create, done):
        return redirect(url_for("admin.user", username=username))
    return redirect(url_for("admin.users"))


@admin.route("/users/<username>")
@allow(ADMIN)
def user(username: str):
    found = next(
        (u for u in engine().users(actor=actor().username) if u.username == username), None
    )
    if found is None:
        abort(404)
    return render_template(
        "admin/user.html", user=found, roles=engine().roles(actor=actor().username)
    )


@admin.route("/users/<username>/roles", methods=["POST"])
@allow(ADMIN)
def set_roles(username: str):
    if request.form.get("submitted") != "roles":
        abort(400, description=gettext("The role form was incomplete. Go back and try again."))
    attempt(
        lambda: engine().set_roles(username, request.form.getlist("roles"), actor=actor().username),
        gettext("Roles of %(user)s saved.", user=username),
    )
    return redirect(url_for("admin.user", username=username))


@admin.route("/users/<username>/active", methods=["POST"])
@allow(ADMIN)
def set_active(username: str):
    wanted = form_text("active")
    if wanted not in ("yes", "no"):
        abort(400, description=gettext("Say whether the account is active."))
    attempt(
        lambda: engine().set_active(username, wanted == "yes", actor=actor().username),
        gettext("%(user)s reactivated.", user=username)
        if wanted == "yes"
        else gettext("%(user)s deactivated and signed out.", user=username),
    )
    return redirect(url_for("admin.user", username=username))


@admin.route("/users/<username>/password", methods=["POST"])
@allow(ADMIN)
def reset_password(username: str):
    attempt(
        lambda: engine().reset_password(
            username, request.form.get("temporary", ""), actor=actor().username
        ),
        gettext(
            "Temporary password set; %(user)s must change it at the next sign-in.", user=username
        ),
    )
    return redirect(url_for("admin.user", username=username))


@admin.route("/users/<username>/cases", methods=["POST"])
@allow(ADMIN)
def add_case(username: str):
    case_ref = form_text("case_ref").upper()
    attempt(
        lambda: engine().add_case_member(
            case_ref, username, actor=actor().username, reason=form_text("reason")
        ),
        gettext("%(user)s can now see case %(ref)s.", user=username, ref=case_ref),
    )
    return redirect(url_for("admin.user", username=username))


@admin.route("/users/<username>/cases/remove", methods=["POST"])
@allow(ADMIN)
def remove_case(username: str):
    case_ref = form_text("case_ref").upper()
    if not case_ref:
        abort(400, description=gettext("Say which case to remove."))
    attempt(
        lambda: engine().remove_case_member(case_ref, username, actor=actor().username),
        gettext("%(user)s no longer has team access to case %(ref)s.", user=username, ref=case_ref),
    )
    return redirect(url_for("admin.user", username=username))
