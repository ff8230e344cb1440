"""A new password, a deactivation or a role taken away ends every session and API token of the
person: a stolen cookie or token does not outlive the change, and reactivation revives nothing."""

from __future__ import annotations

import pytest

from engine.errors import PermissionDenied
from tests.support.web import PASSWORD, csrf_from, sign_in

NEW_PASSWORD = "a passphrase of my own"


def _post(client, path: str, data: dict, page: str = "/admin/"):
    return client.post(path, data={**data, "csrf_token": csrf_from(client.get(page).text)})


@pytest.fixture
def victim(app, web_engine):
    """The caseworker's session as a thief copied it, and an API token of theirs."""
    stolen = app.test_client()
    assert sign_in(stolen, "caseworker").status_code == 302
    token = web_engine.create_token("caseworker", name="integration")
    assert _session_works(stolen) and _token_works(app, token)
    return stolen, token


def _session_works(client) -> bool:
    """Still signed in (even if only to be sent to change a temporary password)?"""
    response = client.get("/")
    if response.status_code == 302:
        return not response.headers["Location"].startswith("/signin")
    assert response.status_code == 200
    return True


def _token_works(app, token: str) -> bool:
    response = app.test_client().get("/api/v1/tasks", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code in (200, 401)
    return response.status_code == 200


def _with_cookie(app, secret: str):
    client = app.test_client()
    client.set_cookie("pp_session", secret)
    return client


def test_an_administrators_password_reset_ends_every_session_and_token(app, signed_in, victim):
    stolen, token = victim
    reset = _post(
        signed_in("admin"), "/admin/users/caseworker/password", {"temporary": "temporary pass 1"}
    )
    assert reset.status_code == 302
    assert not _session_works(stolen)
    assert not _token_works(app, token)
    person = app.test_client()
    assert sign_in(person, "caseworker", "temporary pass 1").status_code == 302


def test_changing_ones_own_password_keeps_this_browser_only(app, signed_in, victim):
    stolen, token = victim
    person = signed_in("caseworker")
    before = person.get_cookie("pp_session").value
    changed = _post(
        person,
        "/account/password",
        {"current": PASSWORD, "new": NEW_PASSWORD, "repeat": NEW_PASSWORD},
        page="/account/password",
    )
    assert changed.status_code == 302 and changed.headers["Location"] == "/"
    after = person.get_cookie("pp_session").value
    assert after != before  # a fresh session for the browser that changed it...
    home = person.get("/")
    assert home.status_code == 200 and "Your password is changed." in home.text
    assert not _session_works(_with_cookie(app, before))  # ...its old one ended,
    assert not _session_works(stolen)  # the thief's too,
    assert not _token_works(app, token)  # and every token
    assert sign_in(app.test_client(), "caseworker", NEW_PASSWORD).status_code == 302


def test_deactivation_ends_tokens_and_reactivation_revives_nothing(app, signed_in, victim):
    stolen, token = victim
    admin = signed_in("admin")
    page = "/admin/users/caseworker"
    assert _post(admin, "/admin/users/caseworker/active", {"active": "no"}, page).status_code == 302
    assert not _session_works(stolen) and not _token_works(app, token)
    assert (
        _post(admin, "/admin/users/caseworker/active", {"active": "yes"}, page).status_code == 302
    )
    assert not _session_works(stolen)
    assert not _token_works(app, token)
    assert sign_in(app.test_client(), "caseworker").status_code == 302  # the person comes back


def test_a_role_taken_away_ends_sessions_and_tokens_a_role_given_does_not(
    app, signed_in, web_engine, victim
):
    stolen, token = victim
    admin = signed_in("admin")
    page = "/admin/users/caseworker"
    given = {"submitted": "roles", "roles": ["caseworker", "legal_adviser"]}
    assert _post(admin, "/admin/users/caseworker/roles", given, page).status_code == 302
    assert _session_works(stolen) and _token_works(app, token)  # more access: nothing to end

    taken = {"submitted": "roles", "roles": ["legal_adviser"]}
    assert _post(admin, "/admin/users/caseworker/roles", taken, page).status_code == 302
    assert not _session_works(stolen)
    assert not _token_works(app, token)


def test_one_admin_check_for_the_engine(web_engine):
    with pytest.raises(PermissionDenied, match="only administrators may reset passwords"):
        web_engine.reset_password("supervisor", "temporary pass 2", actor="caseworker")
