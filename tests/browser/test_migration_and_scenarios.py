"""A coordinator, in a real browser, moves a running case to a pathway's new version from the
console, then writes and runs a scenario in the modeller (issue: pathway changes reach running
cases)."""

from __future__ import annotations

from tests.support.intake_versions import deploy_intake
from tests.support.web import browser_sign_in

SCENARIO = """name: A screening opens for the first responder
steps:
  - start: identification
    as: first_responder
  - expect:
      open_tasks: [first_contact_screening]
"""


def _watch(page, problems: list[str]) -> None:
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)


def test_migrate_from_the_console_and_run_a_scenario_in_the_modeller(
    browser, live_server, screenshots, web_engine, tmp_path
):
    deploy_intake(web_engine, tmp_path / "v1")
    started = web_engine.start("intake", actor="first_responder")
    (task,) = web_engine.tasks_for("first_responder", case_ref=started.case_ref)
    web_engine.complete_task(
        task.id, actor="first_responder", answers={"name": "A", "presumed": True}
    )
    deploy_intake(web_engine, tmp_path / "v2", safety_check=True)

    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    browser_sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/admin/")
    page.click("nav.tabs >> text=Migrations")
    page.click("#migrations-waiting >> text=Plan the migration")
    assert page.locator(f"#plan-{started.instance_id} input[type=checkbox]").is_checked()
    page.fill("#migration-reason", "a safety check after the reflection period")
    page.screenshot(path=str(screenshots / "console-migration-plan.png"), full_page=True)
    page.click("text=Migrate the ticked cases")
    assert "1 case(s) now run version 2." in page.locator("#migration-outcome").inner_text()
    assert page.locator(f"#plan-{started.instance_id}").count() == 0
    (line,) = web_engine.versions("intake", actor="coordinator")[:1]
    assert line.version == 2 and line.running == 1

    page.goto(f"{live_server}/modeller/scenarios")
    page.fill("#new-name", "screening_opens")
    page.click("#new-scenario >> text=Create")
    page.fill("#source", SCENARIO.replace("[first_contact_screening]", "[initial_interview]"))
    page.click("text=Run this scenario")
    assert page.locator("#result-screening_opens-yaml .step-failed").count() == 1
    page.fill("#source", SCENARIO)
    page.click("text=Run this scenario")
    results = page.locator("#result-screening_opens-yaml")
    assert results.locator(".step-passed").count() == 2
    assert results.locator(".step-failed").count() == 0
    page.screenshot(path=str(screenshots / "modeller-scenario-run.png"), full_page=True)
    page.click("text=Save draft")
    assert page.locator(".notice.ok").count() == 1
    assert web_engine.scenario_text("screening_opens.yaml", actor="coordinator") == (
        SCENARIO,
        True,
    )
    assert problems == []
    context.close()
