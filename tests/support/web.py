"""Helpers for web tests: CSRF tokens from pages, signing in."""

from __future__ import annotations

import re

PASSWORD = "correct horse battery staple"

# A screening that presumes an adult victim (recruitment, exploitation and means all present).
ADULT_SCREENING = {
    "contact_date": "2026-01-05",
    "contact_setting": "police",
    "sex": "female",
    "age_known": "known",
    "age": 30,
    "indicators_deceptive_recruitment": ["dr_nature_of_work", "dr_conditions"],
    "indicators_exploitation": ["ex_cannot_refuse", "ex_no_or_low_pay"],
    "indicators_coercion_at_destination": ["cd_forced_to_remain", "cd_documents_withheld"],
    "immediate_safety_risk": False,
    "needs_interpreter": False,
    "language": "English",
    "asylum_indicators": False,
}


def csrf_from(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    assert match, "no CSRF token on the page"
    return match.group(1)


def sign_in(client, username: str, password: str = PASSWORD):
    page = client.get("/signin")
    if page.status_code == 302:  # already signed in: any page carries the session's token
        page = client.get("/")
    return client.post(
        "/signin",
        data={"username": username, "password": password, "csrf_token": csrf_from(page.text)},
    )


def token_of(client, path: str = "/") -> str:
    return csrf_from(client.get(path).text)


def browser_sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    """Sign in through the real form in a Playwright page."""
    page.goto(f"{base}/signin")
    page.fill("#username", username)
    page.fill("#password", password)
    with page.expect_navigation():
        page.click("button.primary")


CONSENT_YES_NO = {
    "interpreter_present": "false",
    "consent_explained": "true",
    "consent_services": "true",
    "consent_disclosure": "true",
    "consent_reporting": "true",
}


def fill_consent_form(page) -> None:
    """The caseworker's consent-to-referral form, answered yes to every consent."""
    page.fill("#f-language", "English")
    for name, value in CONSENT_YES_NO.items():
        page.check(f"input[name={name}][value={value}]")


def consented_case(engine, *, interpreter_present: bool = False):
    """A presumed adult screened by first_responder who consented to everything (Thai)."""
    started = engine.start("identification", actor="first_responder")
    screening = engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
    engine.complete_task(screening.id, actor="first_responder", answers=ADULT_SCREENING)
    consent = engine.tasks_for("caseworker", case_ref=started.case_ref)[0]
    engine.complete_task(
        consent.id,
        actor="caseworker",
        answers={
            "language": "Thai",
            "interpreter_present": interpreter_present,
            "consent_explained": True,
            "consent_services": True,
            "consent_disclosure": True,
            "consent_reporting": True,
        },
    )
    return started
