/* The decision-table editor: dmn-js from npm for the .dmn files that business rule tasks
   evaluate. Tables are edited in place; the buttons are the modeller's (editor_actions.js), so a
   table is validated, drafted and deployed exactly like a diagram. */
(function () {
  "use strict";
  var block = document.getElementById("editor-data");
  if (!block || !window.DmnJS || !window.PathwaysEditor) { return; }
  var data = JSON.parse(block.textContent);
  var editor = new window.DmnJS({ container: "#canvas" });
  window.pathwaysDecisionEditor = editor; // for power users and browser tests

  /* A problem names a decision: open its table (or the requirements diagram) to show it. */
  function open(id) {
    var view = editor.getViews().filter(function (v) { return v.element && v.element.id === id; })[0];
    if (view) { editor.open(view); }
  }

  var actions = window.PathwaysEditor.wire(data, {
    xml: function () { return editor.saveXML({ format: true }).then(function (r) { return r.xml; }); },
    clearMarks: function () {},
    mark: function () {},
    select: open
  });

  editor.importXML(data.source).then(function () {
    var tables = editor.getViews().filter(function (v) { return v.type === "decisionTable"; });
    if (tables.length) { editor.open(tables[0]); }
    document.getElementById("canvas").setAttribute("data-ready", "1");
  }).catch(function (error) {
    actions.show(window.PathwaysEditor.t("The decision file could not be opened: {why}", { why: error.message }), []);
  });
})();
