"""A caseworker switches the interface to Thai, opens a case and prints its rights sheet in the
language recorded at the interview (the issue's proof; screenshots and a PDF are saved)."""

from __future__ import annotations

from engine.config import CONFIG_DIR
from engine.scenarios.model import load
from engine.scenarios.runner import Run
from tests.browser.test_console import _watch
from tests.support.web import browser_sign_in
from webapp.documents.sheets import rights_sheets

STORY = CONFIG_DIR / "demo/3_adult_in_reflection_period.yaml"


def test_switch_language_and_print_the_rights_sheet(browser, live_server, screenshots, web_engine):
    story = Run(web_engine, None, load(STORY))
    story.run()
    context = browser.new_context(viewport={"width": 1100, "height": 900})
    page = context.new_page()
    problems: list[str] = []
    _watch(page, problems)
    browser_sign_in(page, live_server, "caseworker")
    assert page.evaluate("document.documentElement.lang") == "en"

    page.select_option("#pp-language", "th")
    with page.expect_navigation():
        page.click("form.language button")
    assert page.evaluate("document.documentElement.lang") == "th"
    assert page.locator("header.top nav a").first.inner_text() == "กล่องงาน"
    page.screenshot(path=str(screenshots / "inbox-th.png"), full_page=True)

    page.goto(f"{live_server}/cases/{story.case_ref}")
    assert "ไทย" in page.locator("#sheet-language").inner_text()
    page.click("#documents a.recorded")
    thai = rights_sheets()["th"]
    assert page.locator("#rights-sheet h1").inner_text() == thai.title
    assert page.locator("#rights-sheet").get_attribute("lang") == "th"
    assert page.locator("#rights-sheet section h2").count() == len(thai.sections) + 1

    # The Print button calls the browser's print; only the sheet goes on paper.
    page.evaluate("window.print = () => { document.body.dataset.printed = 'yes'; }")
    page.click("button[data-print]")
    assert page.evaluate("document.body.dataset.printed") == "yes"
    page.emulate_media(media="print")
    assert page.locator("header.top").is_hidden()
    assert page.locator(".toolbar").is_hidden()
    assert page.locator("#rights-sheet").is_visible()
    page.screenshot(path=str(screenshots / "rights-sheet-th-print.png"), full_page=True)
    page.pdf(path=str(screenshots / "rights-sheet-th.pdf"), format="A4")
    assert (screenshots / "rights-sheet-th.pdf").stat().st_size > 10_000
    page.emulate_media(media="screen")

    page.select_option("#pp-language", "vi")
    with page.expect_navigation():
        page.click("form.language button")
    assert page.evaluate("document.documentElement.lang") == "vi"
    page.goto(f"{live_server}/documents/rights-sheet/vi")
    assert page.locator("#rights-sheet h1").inner_text() == rights_sheets()["vi"].title
    page.screenshot(path=str(screenshots / "rights-sheet-vi.png"), full_page=True)
    assert problems == []
    context.close()
