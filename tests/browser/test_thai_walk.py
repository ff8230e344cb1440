"""A caseworker works a whole task in Thai: not one English string of the catalogs on the way.

The check is mechanical: every text the page shows (text nodes, button and option labels,
placeholders) is compared with the catalog's English msgids; a text equal to one of them was
shown untranslated.
"""

from __future__ import annotations

from babel.messages.pofile import read_po

from tests.support.web import browser_sign_in, consented_case
from webapp.i18n import SOURCE_DIR

TEXTS = """() => {
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode, parent = node.parentElement;
    // A drawn diagram shows the BPMN file as written (its labels are the source being read).
    if (!parent || parent.closest('script, style, [hidden], .visually-hidden, [lang="en"], .djs-container')) continue;
    const text = node.textContent.replace(/\\s+/g, ' ').trim();
    if (text) found.push(text);
  }
  document.querySelectorAll('input[placeholder], textarea[placeholder]').forEach(e => found.push(e.placeholder));
  return found;
}"""


def _english_of_the_catalog() -> set[str]:
    """English texts the Thai catalog translates differently (so seeing one means: untranslated)."""
    with (SOURCE_DIR / "th" / "LC_MESSAGES" / "messages.po").open("rb") as po:
        catalog = read_po(po, locale="th")
    return {
        m.id.strip()
        for m in catalog
        if m.id and isinstance(m.id, str) and m.string and m.string != m.id and "%(" not in m.id
    }


def _english_on(page, english: set[str]) -> list[str]:
    shown = page.evaluate(TEXTS)
    pieces = {p.strip(" :·*()") for text in shown for p in [text, *text.split(" · ")]}
    return sorted(p for p in pieces if p in english)


def test_a_caseworker_walks_a_task_in_thai_without_english(
    browser, live_server, screenshots, web_engine
):
    started = consented_case(web_engine, interpreter_present=True)
    english = _english_of_the_catalog()
    assert "Safety and risk plan" in english and "Agreed safety measures" in english

    page = browser.new_context(viewport={"width": 1280, "height": 900}, locale="th-TH").new_page()
    browser_sign_in(page, live_server, "caseworker")
    page.select_option("#pp-language", "th")
    with page.expect_navigation():
        page.click("form.language button[type=submit]")
    assert page.locator("html").get_attribute("lang") == "th"
    seen: dict[str, list[str]] = {}
    seen["inbox"] = _english_on(page, english)

    page.goto(f"{live_server}/?tab=roles")
    row = page.locator("tr", has_text="แผนความปลอดภัย")
    row.locator("button").first.click()
    page.wait_for_load_state("load")
    seen["task"] = _english_on(page, english)
    page.click("button[value=complete]")  # nothing answered: the errors, in Thai
    seen["errors"] = _english_on(page, english)
    page.screenshot(path=str(screenshots / "task-thai-errors.png"), full_page=True)
    page.check("input[name=risk_level][value=medium]")
    page.fill("#f-safety_measures", "ย้ายไปบ้านพักที่ปลอดภัย")
    page.fill("#f-review_on", "2026-01-12")
    page.click("button[value=complete]")
    page.wait_for_load_state("load")
    seen["done"] = _english_on(page, english)
    page.goto(f"{live_server}/cases/{started.case_ref}")
    seen["case"] = _english_on(page, english)
    page.screenshot(path=str(screenshots / "case-thai.png"), full_page=True)
    untranslated = {where: found for where, found in seen.items() if found}
    assert untranslated == {}, untranslated


def _in_thai(browser, live_server, username: str):
    page = browser.new_context(viewport={"width": 1400, "height": 900}, locale="th-TH").new_page()
    browser_sign_in(page, live_server, username)
    page.select_option("#pp-language", "th")
    with page.expect_navigation():
        page.click("form.language button[type=submit]")
    return page


def test_the_console_and_the_modeller_read_in_thai(browser, live_server, screenshots, web_engine):
    started = consented_case(web_engine, interpreter_present=True)
    english = _english_of_the_catalog()
    assert {"Timeline", "Audit trail", "Deploy"} <= english  # console and modeller are in it

    admin = _in_thai(browser, live_server, "admin")
    seen: dict[str, list[str]] = {}
    for name, path in {
        "dashboard": "/admin/",
        "instances": "/admin/instances",
        "instance": f"/admin/instances/{started.instance_id}",
        "audit": f"/admin/audit?case_ref={started.case_ref}",
        "users": "/admin/users",
        "user": "/admin/users/caseworker",
        "incidents": "/admin/incidents",
        "commitments": "/admin/commitments",
    }.items():
        admin.goto(f"{live_server}{path}")
        assert admin.locator("html").get_attribute("lang") == "th"
        seen[name] = _english_on(admin, english)
    admin.goto(f"{live_server}/admin/instances/{started.instance_id}")
    admin.wait_for_selector("#diagram svg")
    admin.screenshot(path=str(screenshots / "console-instance-thai.png"), full_page=True)

    coordinator = _in_thai(browser, live_server, "coordinator")
    for name, path in {
        "modeller": "/modeller/",
        "forms": "/modeller/forms",
        "versions": "/modeller/processes/identification",
        "editor": "/modeller/files/identification.bpmn",
    }.items():
        coordinator.goto(f"{live_server}{path}")
        seen[name] = _english_on(coordinator, english)
    coordinator.wait_for_selector(".djs-palette-entries")
    # bpmn-js's own palette speaks Thai too (its entries are labels, not text).
    titles = coordinator.eval_on_selector_all(
        ".djs-palette-entries .entry",
        "entries => entries.map(e => e.getAttribute('aria-label') || e.title).filter(Boolean)",
    )
    assert titles and not [t for t in titles if t in english], titles
    coordinator.screenshot(path=str(screenshots / "modeller-thai.png"))
    untranslated = {where: found for where, found in seen.items() if found}
    assert untranslated == {}, untranslated
