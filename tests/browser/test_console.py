"""An administrator follows a case through the console in a real browser (the issue's proof):
find it by reference, read its history on the diagram, export the trail, suspend it so the
caseworker cannot move it on, and resume it.
"""

from __future__ import annotations

import csv
import io

from engine.config import CONFIG_DIR, PROJECT_ROOT
from engine.scenarios.model import load
from engine.scenarios.runner import run_scenario
from tests.support.web import browser_sign_in, fill_consent_form

VIEWER = PROJECT_ROOT / "webapp/static/vendor/bpmn-js/bpmn-navigated-viewer.production.min.js"
STORY = CONFIG_DIR / "demo/1_adult_waiting_for_consent.yaml"


def _watch(page, problems: list[str]) -> None:
    """Collect script errors, CSP refusals (console errors) and failed requests."""
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on(
        "response",
        lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None,
    )


def test_instance_history_operations_and_export(browser, live_server, screenshots, web_engine):
    assert VIEWER.exists(), "bpmn-js is missing: `make test` builds it (scripts/build_assets.sh)"
    outcome = run_scenario(web_engine, None, load(STORY))
    assert outcome.passed, outcome.detail
    [case] = web_engine.instances(actor="admin")

    admin = browser.new_context(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page = admin.new_page()
    problems: list[str] = []
    _watch(page, problems)
    browser_sign_in(page, live_server, "admin")
    page.click("text=Console")
    assert page.locator("h1").inner_text() == "Dashboard"
    page.screenshot(path=str(screenshots / "console-dashboard.png"), full_page=True)

    page.click("nav.tabs >> text=Instances")
    page.fill("#ref", case.case_ref.lower())
    page.click("text=Find")
    page.click(f"text=#{case.id}")
    page.wait_for_selector("#diagram[data-marked]")
    # bpmn-js drew the version this instance runs, with the path taken and where it stands.
    done = page.locator(".djs-element.pp-done[data-element-id=first_contact_screening]")
    assert done.count() == 1
    assert page.locator(".djs-element.pp-active[data-element-id=consent_to_referral]").count() == 1
    assert page.locator(".djs-connection.pp-taken").count() >= 2
    timeline = page.locator("#timeline li p strong").all_inner_texts()
    assert timeline[:3] == ["Instance started", "Task completed", "Facts changed"]
    assert "first_responder" in page.locator("#timeline li").nth(1).inner_text()
    page.screenshot(path=str(screenshots / "console-instance.png"), full_page=True)

    page.click("text=Open the data of this step >> nth=0")
    assert "Nadia" in page.locator("#event-data").inner_text()
    page.go_back()

    page.click("button[value=suspend]")  # no reason given: the browser asks, nothing is sent
    assert page.locator("#instance-status").inner_text() == "Running"
    page.fill("#status-reason", "The person cannot be reached")
    page.click("button[value=suspend]")
    assert page.locator("#instance-status").inner_text() == "Suspended"

    page.click("nav.tabs >> text=Audit trail")
    page.fill("#f-case", case.case_ref)
    page.click("text=Search")
    assert page.locator("#events tbody tr").count() >= 5
    with page.expect_download() as download:
        page.click("text=Export CSV")
    rows = list(csv.DictReader(io.StringIO(download.value.path().read_text())))
    assert {r["case_ref"] for r in rows} == {case.case_ref}
    assert "instance:suspended" in [r["action"] for r in rows]
    page.click("text=Verify the whole chain now")
    assert "Chain verified up to event" in page.locator("#chain-status").inner_text()
    page.screenshot(path=str(screenshots / "console-audit.png"), full_page=True)

    worker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    _watch(worker, problems)
    browser_sign_in(worker, live_server, "caseworker")
    worker.click("text=My roles")
    worker.locator("tr", has_text="Ask for consent to referral").locator(
        "button", has_text="Claim"
    ).click()
    assert "suspended by an administrator" in worker.locator("#on-hold").inner_text()
    fill_consent_form(worker)
    worker.click("button[value=complete]")
    assert worker.locator("h1").inner_text() == "This pathway is on hold"
    assert "its process is suspended" in worker.locator("main").inner_text()
    refusal = [p for p in problems if "409" in p]  # the refusal itself: response + console line
    assert len(refusal) == 2, problems
    problems[:] = [p for p in problems if p not in refusal]

    page.goto(f"{live_server}/admin/instances/{case.id}")
    page.fill("#status-reason", "Contact re-established")
    page.click("button[value=resume]")
    assert page.locator("#instance-status").inner_text() == "Running"

    worker.go_back()
    fill_consent_form(worker)
    worker.click("button[value=complete]")
    assert "Done:" in worker.locator(".notice.ok").inner_text()
    assert problems == [], problems
    admin.close()
    worker.context.close()
