"""The issue's proof for the modeller: a coordinator draws a new pathway with an embedded
sub-process, a message wait with a deadline (event-based gateway) and an event sub-process,
sets messages, timer and forms in the properties panel, deploys it; a caseworker works it in
the web inbox; the administrator sees the path taken, inside the sub-process too.
"""

from __future__ import annotations

from tests.support.web import browser_sign_in

DRAW = """() => {
  const m = window.pathwaysModeler, reg = m.get('elementRegistry'), modeling = m.get('modeling');
  const factory = m.get('elementFactory'), bpmnFactory = m.get('bpmnFactory');
  const start = reg.get('court_dates_start');
  const prepare = modeling.appendShape(start, {type: 'bpmn:UserTask'}, {x: 280, y: 170});
  const sub = modeling.appendShape(
    prepare, factory.createShape({type: 'bpmn:SubProcess', isExpanded: true}), {x: 560, y: 170});
  const innerStart = modeling.createShape({type: 'bpmn:StartEvent'}, {x: 420, y: 170}, sub);
  const explain = modeling.appendShape(innerStart, {type: 'bpmn:UserTask'}, {x: 560, y: 170});
  modeling.appendShape(explain, {type: 'bpmn:EndEvent'}, {x: 690, y: 170});
  const gateway = modeling.appendShape(sub, {type: 'bpmn:EventBasedGateway'}, {x: 800, y: 170});
  const dateSet = modeling.appendShape(gateway, {type: 'bpmn:IntermediateCatchEvent',
    eventDefinitionType: 'bpmn:MessageEventDefinition'}, {x: 900, y: 110});
  modeling.appendShape(dateSet, {type: 'bpmn:EndEvent'}, {x: 1010, y: 110});
  const deadline = modeling.appendShape(gateway, {type: 'bpmn:IntermediateCatchEvent',
    eventDefinitionType: 'bpmn:TimerEventDefinition'}, {x: 900, y: 230});
  modeling.appendShape(deadline, {type: 'bpmn:EndEvent'}, {x: 1010, y: 230});
  const eventSub = modeling.createShape(factory.createShape({type: 'bpmn:SubProcess',
      isExpanded: true, businessObject: bpmnFactory.create('bpmn:SubProcess', {triggeredByEvent: true})}),
    {x: 560, y: 410}, start.parent);
  const concern = modeling.createShape({type: 'bpmn:StartEvent', isInterrupting: false,
    eventDefinitionType: 'bpmn:MessageEventDefinition'}, {x: 430, y: 410}, eventSub);
  const review = modeling.appendShape(concern, {type: 'bpmn:UserTask'}, {x: 560, y: 410});
  modeling.appendShape(review, {type: 'bpmn:EndEvent'}, {x: 690, y: 410});
  return {prepare: prepare.id, sub: sub.id, explain: explain.id, gateway: gateway.id,
          dateSet: dateSet.id, deadline: deadline.id, eventSub: eventSub.id,
          concern: concern.id, review: review.id};
}"""
SELECT = (
    "id => { const m = window.pathwaysModeler; "
    "m.get('selection').select(m.get('elementRegistry').get(id)); }"
)
FORM = "hearing_preparation.json"


def _set(page, element_id: str, **fields: str) -> None:
    """Through the properties panel, as a coordinator would: select, type, leave the field."""
    page.evaluate(SELECT, element_id)
    for name, value in fields.items():
        selector = f"#prop-{name}"
        if name == "form":
            page.select_option(selector, value)
        else:
            page.fill(selector, value)
            page.press(selector, "Tab")


def _wait(page):
    page.wait_for_selector("#results:not([data-state=working])", timeout=90_000)


def _work(page, base: str, title: str) -> None:
    """Claim the task from the role inbox and answer the hearing-preparation form."""
    page.goto(f"{base}/")
    page.click("text=My roles")
    row = page.locator("tr", has_text=title)
    assert row.count() == 1, page.locator("main").inner_text()
    row.locator("button", has_text="Claim").click()
    assert page.locator("h1").inner_text() == title
    for name in ("informed_of_proceedings", "measures_confirmed"):
        page.check(f"input[name={name}][value=true]")
    page.check("input[name=interpreter_present][value=false]")
    page.fill("#f-language", "Thai")
    page.click("button[value=complete]")
    assert "Done:" in page.locator(".notice.ok").inner_text()


def test_a_drawn_pathway_with_sub_processes_and_a_message_deadline_runs_and_shows_its_path(
    browser, live_server, screenshots, web_engine
):
    problems: list[str] = []
    page = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "coordinator")
    page.click("text=Modeller")
    page.fill("#new-file-name", "court_dates.bpmn")
    page.select_option("#new-file-role", "caseworker")
    page.click("#new-file button[type=submit]")
    page.wait_for_selector("#canvas[data-ready]")

    drawn = page.evaluate(DRAW)
    _set(page, drawn["prepare"], name="Prepare the witness", form=FORM)
    _set(page, drawn["sub"], name="Court preparation")
    _set(page, drawn["explain"], name="Explain the hearing", form=FORM)
    _set(page, drawn["dateSet"], name="Court date set", message="court_date")
    _set(page, drawn["deadline"], name="No date in 14 days", timer='"P14D"')
    _set(page, drawn["concern"], name="Safety concern raised", message="safety_concern")
    _set(page, drawn["review"], name="Review safety before the hearing", form=FORM)
    page.click("#validate")
    _wait(page)
    assert page.locator("#results h2").inner_text() == "No problems found", page.locator(
        "#results"
    ).inner_text()
    page.fill("#change-note", "Court dates: wait for the court with a 14-day deadline")
    page.click("#deploy")
    _wait(page)
    assert "court_dates version 1" in page.locator("#results").inner_text()
    page.screenshot(path=str(screenshots / "modeller-drawn-pathway.png"), full_page=True)

    started = web_engine.start("court_dates", actor="caseworker")
    worker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_sign_in(worker, live_server, "caseworker")
    _work(worker, live_server, "Prepare the witness")
    _work(worker, live_server, "Explain the hearing")  # inside the sub-process
    deadline = [t for t in web_engine.timers(actor="admin") if t.instance_id == started.instance_id]
    assert [t.bpmn_id for t in deadline] == [drawn["deadline"]]

    sent = web_engine.send_message("safety_concern", actor="caseworker", case_ref=started.case_ref)
    assert sent.delivered == [started.instance_id]
    _work(worker, live_server, "Review safety before the hearing")
    sent = web_engine.send_message("court_date", actor="caseworker", case_ref=started.case_ref)
    assert sent.delivered == [started.instance_id]
    assert [
        t for t in web_engine.timers(actor="admin") if t.instance_id == started.instance_id
    ] == []
    assert web_engine.instance_map(started.instance_id, actor="admin").status == "completed"

    admin = browser.new_context(viewport={"width": 1500, "height": 1000}).new_page()
    browser_sign_in(admin, live_server, "admin")
    admin.goto(f"{live_server}/admin/instances/{started.instance_id}")
    admin.wait_for_selector("#diagram[data-marked]")
    done = set(
        admin.eval_on_selector_all(
            "#diagram .djs-element.pp-done", "els => els.map(e => e.dataset.elementId)"
        )
    )
    for passed in ("prepare", "sub", "explain", "gateway", "dateSet", "eventSub", "review"):
        assert drawn[passed] in done, passed
    assert drawn["deadline"] not in done  # the branch not taken stays unmarked
    history = admin.locator("main").inner_text()
    for step in ("Prepare the witness", "Explain the hearing", "Review safety before the hearing"):
        assert step in history
    admin.screenshot(path=str(screenshots / "admin-drawn-pathway.png"), full_page=True)
    assert problems == [], problems
