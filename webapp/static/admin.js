/* The instance diagram: bpmn-js draws the exact version the instance runs; we mark its progress.
   The data comes from a JSON block on the page, never from inline script. */
(function () {
  "use strict";
  var block = document.getElementById("diagram-data");
  var container = document.getElementById("diagram");
  if (!block || !container || !window.BpmnJS) { return; }
  var processes = JSON.parse(block.textContent);
  var viewer = new window.BpmnJS({ container: container });
  var picker = document.getElementById("diagram-process");

  function mark(process) {
    var canvas = viewer.get("canvas");
    var done = new Set(process.completed);
    var active = new Set(process.active);
    var waiting = new Set(process.waiting);
    viewer.get("elementRegistry").forEach(function (element) {
      var id = element.id;
      if (waiting.has(id) && active.has(id)) { canvas.addMarker(id, "pp-waiting"); }
      else if (active.has(id)) { canvas.addMarker(id, "pp-active"); }
      else if (done.has(id)) { canvas.addMarker(id, "pp-done"); }
      var flow = element.businessObject;
      if (element.type === "bpmn:SequenceFlow" && flow.sourceRef && flow.targetRef &&
          done.has(flow.sourceRef.id) && (done.has(flow.targetRef.id) || active.has(flow.targetRef.id))) {
        canvas.addMarker(id, "pp-taken");
      }
    });
    container.setAttribute("data-marked", String(done.size + active.size));
  }

  /* A file may hold several pools (a pathway and the process it calls); frame this one's pool. */
  function focus(process) {
    var canvas = viewer.get("canvas");
    var pool = viewer.get("elementRegistry").find(function (element) {
      var ref = element.type === "bpmn:Participant" && element.businessObject.processRef;
      return ref && ref.id === process.key;
    });
    if (!pool) { canvas.zoom("fit-viewport"); return; }
    var margin = 20;
    canvas.viewbox({
      x: pool.x - margin, y: pool.y - margin,
      width: pool.width + 2 * margin, height: pool.height + 2 * margin
    });
  }

  function show(index) {
    var process = processes[index];
    container.removeAttribute("data-marked");
    viewer.importXML(process.source).then(function () {
      focus(process);
      mark(process);
    }).catch(function (error) {
      container.textContent = container.getAttribute("data-failed") + " " + error.message;
    });
  }

  if (picker) { picker.addEventListener("change", function () { show(Number(picker.value)); }); }
  show(0);
})();
