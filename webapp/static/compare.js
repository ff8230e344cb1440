/* Two versions side by side: added and changed elements marked on the newer diagram,
   removed and changed ones on the older. */
(function () {
  "use strict";
  var block = document.getElementById("compare-data");
  if (!block || !window.BpmnJS) { return; }
  var data = JSON.parse(block.textContent);

  function ids(list) { return list.map(function (c) { return c.element_id; }); }

  function draw(container, source, marks) {
    var viewer = new window.BpmnJS({ container: container });
    viewer.importXML(source).then(function () {
      var canvas = viewer.get("canvas");
      var registry = viewer.get("elementRegistry");
      canvas.zoom("fit-viewport");
      Object.keys(marks).forEach(function (marker) {
        marks[marker].forEach(function (id) { if (registry.get(id)) { canvas.addMarker(id, marker); } });
      });
      document.querySelector(container).setAttribute("data-marked", "1");
    });
  }

  draw("#diagram-new", data.after, { "pp-added": ids(data.added), "pp-changed": ids(data.changed) });
  draw("#diagram-old", data.before, { "pp-removed": ids(data.removed), "pp-changed": ids(data.changed) });
})();
