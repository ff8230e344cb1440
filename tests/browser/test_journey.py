"""A first responder screens a person in a real browser; the caseworker who owns the next step claims and completes it."""

from __future__ import annotations

from tests.support.web import browser_sign_in, fill_consent_form


def test_screening_to_the_next_role(browser, live_server, screenshots, web_engine):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    requested = []
    page.on("request", lambda request: requested.append(request.url))

    browser_sign_in(page, live_server, "first_responder")
    assert page.locator("h1").inner_text() == "Inbox"
    page.screenshot(path=str(screenshots / "inbox-first-responder.png"), full_page=True)
    page.click("text=Start a first-contact screening")
    assert page.locator("h1").inner_text() == "First-contact screening"

    # Conditional questions appear only when their answer calls for them.
    page.wait_for_selector("html[data-enhanced]", state="attached")
    assert not page.locator("#f-age").is_visible()
    page.check("input[name=age_known][value=known]")
    assert page.locator("#f-age").is_visible()

    page.fill("#f-contact_date", "2026-01-05")
    page.check("input[name=contact_setting][value=police]")
    page.fill("#f-alias", "Lan")
    page.fill("#f-age", "30")
    for indicator in (
        "dr_nature_of_work",
        "dr_conditions",
        "ex_cannot_refuse",
        "ex_no_or_low_pay",
        "cd_forced_to_remain",
        "cd_documents_withheld",
    ):
        page.check(f"input[value={indicator}]")
    page.check("input[name=immediate_safety_risk][value=false]")
    page.check("input[name=needs_interpreter][value=false]")
    page.check("input[name=asylum_indicators][value=false]")
    page.screenshot(path=str(screenshots / "task-form.png"), full_page=True)
    page.click("button[value=complete]")  # the language is missing

    assert page.locator("#error-language").inner_text() == "This answer is required."
    assert page.locator("#problems").is_visible()
    assert page.input_value("#f-alias") == "Lan"  # what was typed is kept
    assert page.is_checked("input[value=cd_forced_to_remain]")
    page.screenshot(path=str(screenshots / "task-form-errors.png"), full_page=True)
    assert (
        web_engine.tasks_for("first_responder")[0].bpmn_id == "first_contact_screening"
    )  # nothing changed

    page.fill("#f-language", "English")
    page.click("button[value=complete]")
    assert "Done:" in page.locator(".notice.ok").inner_text()
    page.click("text=Sign out")

    browser_sign_in(page, live_server, "caseworker")
    page.click("text=My roles")
    row = page.locator("tr", has_text="Ask for consent to referral")
    assert row.count() == 1
    page.screenshot(path=str(screenshots / "inbox-caseworker.png"), full_page=True)
    row.locator("button", has_text="Claim").click()
    assert page.locator("h1").inner_text() == "Ask for consent to referral"
    fill_consent_form(page)
    page.click("button[value=complete]")
    assert "Done:" in page.locator(".notice.ok").inner_text()

    # Narrow phones: the inbox still fits 360 px.
    small = browser.new_context(viewport={"width": 360, "height": 740}).new_page()
    browser_sign_in(small, live_server, "caseworker")
    small.wait_for_load_state("load")
    wide = small.evaluate(
        "() => Array.from(document.querySelectorAll('*'))"
        ".filter(e => e.getBoundingClientRect().right > 361)"
        ".map(e => e.tagName + '.' + e.className + ' ' + Math.round(e.getBoundingClientRect().right))"
    )
    assert small.evaluate("document.documentElement.scrollWidth") <= 360, wide
    small.screenshot(path=str(screenshots / "inbox-360px.png"), full_page=True)

    assert requested and all(url.startswith(live_server) for url in requested), "a page called out"
    context.close()
