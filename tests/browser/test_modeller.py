"""A coordinator changes the identification pathway in the browser modeller (the issue's proof):
adds a task in a lane with a form, sees a missing form flagged on the element, fixes it, deploys
the next version; a new case runs on it and shows the new task, a case started before does not.
"""

from __future__ import annotations

from engine.config import PROJECT_ROOT
from tests.support.web import ADULT_SCREENING, browser_sign_in

MODELER = PROJECT_ROOT / "webapp/static/vendor/bpmn-js/bpmn-modeler.production.min.js"
NOT_PRESUMED_OTHER_SETTING = {
    **{k: v for k, v in ADULT_SCREENING.items() if k != "indicators_coercion_at_destination"},
    "contact_setting": "other",
}
ADD_TASK = """() => {
  const m = window.pathwaysModeler, reg = m.get('elementRegistry');
  const modeling = m.get('modeling'), moddle = m.get('moddle');
  const gateway = reg.get('presumed_gw'), lane = reg.get('identification_lane_0');
  const task = modeling.appendShape(gateway, {type: 'bpmn:UserTask'},
                                    {x: gateway.x + 120, y: lane.y + lane.height - 45});
  modeling.updateProperties(task, {name: 'Refer to another service'});
  modeling.appendShape(task, {type: 'bpmn:EndEvent'}, {x: task.x + 200, y: task.y + 40});
  const form = moddle.create('spiffworkflow:Property',
                             {name: 'formJsonSchemaFilename', value: 'missing_form.json'});
  const properties = moddle.create('spiffworkflow:Properties', {properties: [form]});
  modeling.updateProperties(task, {
    extensionElements: moddle.create('bpmn:ExtensionElements', {values: [properties]})
  });
  const lanes = reg.filter(e => e.type === 'bpmn:Lane' &&
                           (e.businessObject.flowNodeRef || []).includes(task.businessObject));
  return {task: task.id, flow: task.incoming[0].id, lanes: lanes.map(l => l.businessObject.name)};
}"""
SELECT = "id => { const m = window.pathwaysModeler; m.get('selection').select(m.get('elementRegistry').get(id)); }"


def _first_responder_tasks(engine, case_ref):
    return [t.bpmn_id for t in engine.tasks_for("first_responder", case_ref=case_ref)]


def _wait(page):
    page.wait_for_selector("#results:not([data-state=working])", timeout=90_000)


def test_a_coordinator_adds_a_step_and_deploys_the_next_version(
    browser, live_server, screenshots, web_engine
):
    assert MODELER.exists(), "bpmn-js is missing: `make test` builds it (scripts/build_assets.sh)"
    before = web_engine.start("identification", actor="first_responder")

    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "coordinator")
    page.click("text=Modeller")
    page.click("text=identification.bpmn")
    page.wait_for_selector("#canvas[data-ready]")

    added = page.evaluate(ADD_TASK)
    assert added["lanes"] == ["First responder"]  # dropped into the lane: that is its role
    page.click("#validate")
    _wait(page)
    assert page.locator(f".djs-element.pp-error[data-element-id={added['task']}]").count() == 1
    assert "missing_form.json not found" in page.locator("#results").inner_text()
    page.screenshot(path=str(screenshots / "modeller-missing-form.png"), full_page=True)

    page.evaluate(SELECT, added["task"])
    page.select_option("#prop-form", "not_presumed.json")
    page.evaluate(SELECT, added["flow"])
    page.fill("#prop-condition", "presumed_victim == False and contact_setting == 'other'")
    page.press("#prop-condition", "Tab")
    page.click("#validate")
    _wait(page)
    assert page.locator("#results h2").inner_text() == "No problems found"
    assert page.locator(".djs-element.pp-error").count() == 0

    page.click("#deploy")  # no change note yet
    assert "change note" in page.locator("#results").inner_text()
    page.fill("#change-note", "Refer people met in other settings")
    page.click("#deploy")
    _wait(page)
    assert "identification version 2" in page.locator("#results").inner_text()
    page.screenshot(path=str(screenshots / "modeller-deployed.png"), full_page=True)

    # Compare: bpmn-js rewrote the whole file, yet only what the coordinator did counts.
    page.goto(f"{live_server}/modeller/processes/identification/compare?old=1&new=2")
    page.wait_for_selector("#diagram-new[data-marked]")
    assert page.locator("#added li").count() == 4  # task, end event, two flows
    assert sorted(page.locator("#changed li code").all_inner_texts()) == [
        "identification_lane_0",
        "presumed_gw",
    ]
    assert (
        page.locator(f"#diagram-new .djs-element.pp-added[data-element-id={added['task']}]").count()
        == 1
    )
    page.screenshot(path=str(screenshots / "modeller-compare.png"), full_page=True)

    after = web_engine.start("identification", actor="first_responder")
    assert (before.version, after.version) == (1, 2)
    for started in (before, after):
        screening = web_engine.tasks_for("first_responder", case_ref=started.case_ref)[0]
        web_engine.complete_task(
            screening.id, actor="first_responder", answers=NOT_PRESUMED_OTHER_SETTING
        )
    new_task = web_engine.tasks_for("first_responder", case_ref=after.case_ref)
    assert [t.title for t in new_task] == ["Refer to another service"]
    assert _first_responder_tasks(web_engine, before.case_ref) == ["record_not_presumed"]

    worker = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    browser_sign_in(worker, live_server, "first_responder")
    worker.goto(f"{live_server}/tasks/{new_task[0].id}")
    assert worker.locator("h1").inner_text() == "Refer to another service"
    assert problems == [], problems


ADD_RULE = """() => {
  const viewer = window.pathwaysDecisionEditor.getActiveViewer();
  const modeling = viewer.get('modeling'), sheet = viewer.get('sheet');
  const row = modeling.addRow({type: 'dmn:DecisionRule'});
  const [input, output] = row.cells;
  modeling.editCell(input.businessObject, '"child"');
  modeling.editCell(output.businessObject, '"child shelter"');
  return sheet.getRoot().rows.length;
}"""


def test_a_coordinator_writes_a_decision_table_and_deploys_it(browser, live_server, web_engine):
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    browser_sign_in(page, live_server, "coordinator")
    page.click("text=Modeller")
    page.fill("#new-file-name", "shelter_rules.dmn")
    page.click("#new-file button[type=submit]")
    page.wait_for_selector("#canvas[data-ready]")
    assert page.locator("#canvas .tjs-table").count() == 1  # dmn-js opened the decision table
    assert page.evaluate(ADD_RULE) == 1
    page.click("#validate")
    _wait(page)
    assert page.locator("#results h2").inner_text() == "No problems found"
    page.fill("#change-note", "Which shelter a person is offered")
    page.click("#deploy")
    _wait(page)
    assert "shelter_rules version 1" in page.locator("#results").inner_text()
    deployed = next(
        d
        for d in web_engine.definitions(actor="coordinator")
        if d["process_key"] == "shelter_rules"
    )
    assert deployed["kind"] == "dmn"
    source, _ = web_engine.working_source("shelter_rules.dmn", actor="coordinator")
    assert "child shelter" in source  # the rule edited in the browser is what went live
    # dmn-js's bundle announces its Inferno build on the console; that notice is not a fault.
    assert [p for p in problems if "build of Inferno" not in p] == []


FITTED = """() => {
  const m = window.pathwaysModeler, canvas = m.get('canvas'), reg = m.get('elementRegistry');
  const stage = document.getElementById('canvas').getBoundingClientRect();
  const palette = document.querySelector('#canvas .djs-palette').getBoundingClientRect();
  const shapes = reg.filter(e => ['bpmn:StartEvent', 'bpmn:EndEvent', 'bpmn:Participant'].includes(e.type))
    .map(e => document.querySelector(`#canvas [data-element-id="${e.id}"]`).getBoundingClientRect());
  return {
    zoom: canvas.zoom(),
    left: Math.min(...shapes.map(r => r.left)), right: Math.max(...shapes.map(r => r.right)),
    paletteRight: palette.right, stageLeft: stage.left, stageRight: stage.right,
    minimap: !!document.querySelector('#canvas .djs-minimap .toggle'),
  };
}"""


def test_the_modeller_opens_fitted_beside_the_palette_with_zoom_and_scenario_progress(
    browser, live_server, screenshots
):
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    browser_sign_in(page, live_server, "coordinator")
    page.goto(f"{live_server}/modeller/files/asylum_referral.bpmn")
    page.wait_for_selector("#canvas[data-ready]")
    fitted = page.evaluate(FITTED)
    page.screenshot(path=str(screenshots / "modeller-fitted.png"))
    assert fitted["minimap"]
    # Pools, start and end events are all on screen and none lies under the palette.
    assert fitted["left"] > fitted["paletteRight"], fitted
    assert fitted["right"] <= fitted["stageRight"], fitted
    page.click("#zoom-in")
    assert page.evaluate("window.pathwaysModeler.get('canvas').zoom()") > fitted["zoom"]
    page.click("#zoom-fit")
    assert abs(page.evaluate("window.pathwaysModeler.get('canvas').zoom()") - fitted["zoom"]) < 1e-6

    # Each step of the run as the page showed it (a remembered scenario answers in
    # milliseconds, faster than polling for one step could see it).
    page.evaluate(RECORD_PROGRESS)
    page.click("#simulate")
    page.wait_for_selector("#results[data-state=ok]", timeout=180_000)
    count = _scenario_count()
    seen = page.evaluate("window.pathwaysProgress")
    assert [step["progress"] for step in seen] == [f"{i}/{count}" for i in range(count + 1)]
    assert seen[1]["heading"].startswith("Running scenario 2 of")
    assert "PASS " in seen[1]["text"]  # the first result shows while the second runs
    assert page.locator("#results h2").inner_text() == f"Every scenario passes ({count})"


RECORD_PROGRESS = """() => {
  const results = document.getElementById("results");
  window.pathwaysProgress = [];
  new MutationObserver(() => {
    const heading = results.querySelector("h2");
    window.pathwaysProgress.push({
      progress: results.getAttribute("data-progress"),
      heading: heading ? heading.innerText : "",
      text: results.innerText,
    });
  }).observe(results, { attributes: true, attributeFilter: ["data-progress"] });
}"""


def _scenario_count() -> int:
    return len(list((PROJECT_ROOT / "workflows" / "scenarios").glob("*.yaml")))
