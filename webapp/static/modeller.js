/* The coordinator's modeller: bpmn-js with a small properties panel for what our pathways need
   (roles as lanes, forms, timers, conditions, scripts, called pathways), stored as SpiffWorkflow
   extension elements so the files stay usable by SpiffWorkflow tooling. No inline script: the
   page hands over its data in a JSON block. */
(function () {
  "use strict";
  var block = document.getElementById("editor-data");
  if (!block || !window.BpmnJS || !window.PathwaysEditor) { return; }
  var data = JSON.parse(block.textContent);

  var SPIFF = {
    name: "SpiffWorkflow",
    prefix: "spiffworkflow",
    uri: "http://spiffworkflow.org/bpmn/schema/1.0/core",
    xml: { tagAlias: "lowerCase" },
    associations: [],
    types: [
      { name: "Properties", superClass: ["Element"],
        properties: [{ name: "properties", type: "Property", isMany: true }] },
      { name: "Property", superClass: ["Element"],
        properties: [{ name: "name", type: "String", isAttr: true },
                     { name: "value", type: "String", isAttr: true }] },
      { name: "InstructionsForEndUser", superClass: ["Element"],
        properties: [{ name: "text", type: "String", isBody: true }] },
      { name: "CalledDecisionId", superClass: ["Element"],
        properties: [{ name: "value", type: "String", isBody: true }] }
    ]
  };
  var FORM = "formJsonSchemaFilename";
  var t = window.PathwaysEditor.t;
  /* What an event waits for or throws is a root element the event points at; the code is what
     the engine matches (a message's name, an error's or escalation's code). */
  var REFERENCES = {
    "bpmn:MessageEventDefinition": { ref: "messageRef", type: "bpmn:Message", code: "name",
      key: "message", label: t("Message"),
      help: t("The message's name: `pathways message NAME` or POST /api/v1/messages delivers it.") },
    "bpmn:ErrorEventDefinition": { ref: "errorRef", type: "bpmn:Error", code: "errorCode",
      key: "error-code", label: t("Error code"),
      help: t("An error end event with this code is caught by a boundary or event sub-process start with the same code (empty catches every error).") },
    "bpmn:EscalationEventDefinition": { ref: "escalationRef", type: "bpmn:Escalation", code: "escalationCode",
      key: "escalation-code", label: t("Escalation code"),
      help: t("Thrown escalations are caught by a boundary or event sub-process start with the same code.") }
  };
  var TIMER_KINDS = [["timeDuration", t("Duration (e.g. \"P30D\", in_working_days(5))")],
                     ["timeDate", t("Date (e.g. add_months(returned_on, 3))")],
                     ["timeCycle", t("Cycle (e.g. \"R4/P7D\")")]];

  /* bpmn-js's own texts (palette, context pad, replace menu, minimap) through the same t(). */
  var translation = { translate: ["value", function (template, replacements) { return t(template, replacements); }] };

  var modeler = new window.BpmnJS({
    container: "#canvas",
    moddleExtensions: { spiffworkflow: SPIFF },
    additionalModules: [translation].concat(window.DiagramJSMinimap ? [window.DiagramJSMinimap] : []),
    minimap: { open: false } // one click away ("Open minimap"); open, it would cover the diagram
  });
  window.pathwaysModeler = modeler; // the page's modelling API, for power users and browser tests
  var modeling = modeler.get("modeling");
  var moddle = modeler.get("moddle");
  var canvas = modeler.get("canvas");
  var registry = modeler.get("elementRegistry");
  var panel = document.getElementById("properties");
  var selected = null;

  var el = window.PathwaysEditor.el;

  function humanRole(role) {
    var words = role.replace(/_/g, " ");
    return words.charAt(0).toUpperCase() + words.slice(1);
  }

  function roleOf(name) { return (name || "").trim().toLowerCase().replace(/[\s\-_]+/g, "_"); }

  /* -- SpiffWorkflow extension elements ---------------------------------------------------- */

  function extensionValues(bo, type) {
    var ext = bo.extensionElements;
    return ext ? (ext.values || []).filter(function (v) { return v.$type === type; }) : [];
  }

  function getProperty(bo, name) {
    var found = null;
    extensionValues(bo, "spiffworkflow:Properties").forEach(function (props) {
      (props.properties || []).forEach(function (p) { if (p.name === name) { found = p.value; } });
    });
    return found;
  }

  function ensureExtensions(element) {
    var bo = element.businessObject;
    if (!bo.extensionElements) {
      modeling.updateProperties(element, { extensionElements: moddle.create("bpmn:ExtensionElements", { values: [] }) });
    }
    return bo.extensionElements;
  }

  function setProperty(element, name, value) {
    var ext = ensureExtensions(element);
    var props = extensionValues(element.businessObject, "spiffworkflow:Properties")[0];
    if (!props) {
      props = moddle.create("spiffworkflow:Properties", { properties: [] });
      modeling.updateModdleProperties(element, ext, { values: (ext.values || []).concat([props]) });
    }
    var existing = (props.properties || []).filter(function (p) { return p.name === name; })[0];
    if (!value) {
      if (existing) {
        modeling.updateModdleProperties(element, props, {
          properties: props.properties.filter(function (p) { return p !== existing; })
        });
      }
    } else if (existing) {
      modeling.updateModdleProperties(element, existing, { value: value });
    } else {
      modeling.updateModdleProperties(element, props, {
        properties: (props.properties || []).concat([moddle.create("spiffworkflow:Property", { name: name, value: value })])
      });
    }
  }

  function setInstructions(element, text) {
    var ext = ensureExtensions(element);
    var current = extensionValues(element.businessObject, "spiffworkflow:InstructionsForEndUser")[0];
    if (current) {
      modeling.updateModdleProperties(element, current, { text: text });
    } else if (text) {
      modeling.updateModdleProperties(element, ext, {
        values: (ext.values || []).concat([moddle.create("spiffworkflow:InstructionsForEndUser", { text: text })])
      });
    }
  }

  /* The root element (message, error, escalation) with this code, created when it is new. */
  function rootElement(kind, code) {
    var definitions = modeler.getDefinitions();
    var found = (definitions.rootElements || []).filter(function (r) {
      return r.$type === kind.type && r[kind.code] === code;
    })[0];
    if (found) { return found; }
    var attrs = { id: kind.type.replace("bpmn:", "") + "_" + code.replace(/[^A-Za-z0-9_]/g, "_") };
    attrs[kind.code] = code;
    if (kind.code !== "name") { attrs.name = code; }
    found = moddle.create(kind.type, attrs);
    found.$parent = definitions;
    definitions.get("rootElements").push(found);
    return found;
  }

  function referenceFields(element, owner, kind) {
    var current = owner[kind.ref] ? owner[kind.ref][kind.code] : "";
    panel.appendChild(field(kind.key, kind.label, textInput(current, function (value) {
      var update = {};
      update[kind.ref] = value.trim() ? rootElement(kind, value.trim()) : undefined;
      if (owner === element.businessObject) { modeling.updateProperties(element, update); }
      else { modeling.updateModdleProperties(element, owner, update); }
    }), kind.help));
  }

  function decisionOf(bo) {
    return extensionValues(bo, "spiffworkflow:CalledDecisionId")[0];
  }

  function setDecision(element, value) {
    var ext = ensureExtensions(element);
    var current = decisionOf(element.businessObject);
    if (current) {
      modeling.updateModdleProperties(element, current, { value: value });
    } else if (value) {
      modeling.updateModdleProperties(element, ext, {
        values: (ext.values || []).concat([moddle.create("spiffworkflow:CalledDecisionId", { value: value })])
      });
    }
  }

  function expression(body) { return moddle.create("bpmn:FormalExpression", { body: body }); }

  /* -- the panel ---------------------------------------------------------------------------- */

  /* key names the input (#prop-KEY) the same in every language; label and help are shown. */
  function field(key, label, input, help) {
    var wrap = el("div", { "class": "field" });
    var id = "prop-" + key;
    input.id = id;
    wrap.appendChild(el("label", { "for": id }, label));
    wrap.appendChild(input);
    if (help) { wrap.appendChild(el("p", { "class": "help" }, help)); }
    return wrap;
  }

  function textInput(value, onChange, multiline) {
    var input = el(multiline ? "textarea" : "input", multiline ? { rows: "5", "class": "code" } : {});
    input.value = value || "";
    input.addEventListener("change", function () { onChange(input.value); });
    return input;
  }

  function choice(options, value, onChange) {
    var select = el("select");
    options.forEach(function (option) {
      var node = el("option", { value: option[0] }, option[1]);
      if (option[0] === (value || "")) { node.selected = true; }
      select.appendChild(node);
    });
    select.addEventListener("change", function () { onChange(select.value); });
    return select;
  }

  function laneOf(element) {
    var bo = element.businessObject;
    var found = null;
    registry.filter(function (e) { return e.type === "bpmn:Lane"; }).forEach(function (lane) {
      (lane.businessObject.flowNodeRef || []).forEach(function (ref) { if (ref === bo) { found = lane; } });
    });
    return found;
  }

  function render() {
    panel.textContent = "";
    panel.appendChild(el("h2", {}, t("Properties")));
    var element = selected;
    if (!element || element.type === "label") {
      panel.appendChild(el("p", { "class": "help" }, t("Select an element.")));
      return;
    }
    var bo = element.businessObject;
    panel.appendChild(el("p", { "class": "meta" }, element.type.replace("bpmn:", "") + " · " + element.id));

    if (element.type === "bpmn:Lane") {
      var known = data.roles.map(function (r) { return [humanRole(r), humanRole(r)]; });
      var current = bo.name || "";
      if (current && !known.some(function (o) { return roleOf(o[0]) === roleOf(current); })) {
        known.push([current, t("{role} (new role)", { role: current })]);
      }
      panel.appendChild(field("role", t("Role"), choice([["", t("(choose a role)")]].concat(known),
        known.filter(function (o) { return roleOf(o[0]) === roleOf(current); }).map(function (o) { return o[0]; })[0] || "",
        function (value) { modeling.updateProperties(element, { name: value }); }),
        t("The lane is the role: its tasks appear in the inbox of everyone holding it.")));
      panel.appendChild(field("new-role-name", t("New role name"), textInput("", function (value) {
        if (value.trim()) { modeling.updateProperties(element, { name: humanRole(roleOf(value)) }); }
      }), t("Only when no configured role fits.")));
      return;
    }

    panel.appendChild(field("name", t("Name"), textInput(bo.name, function (value) {
      modeling.updateProperties(element, { name: value });
    })));

    if (element.type === "bpmn:UserTask") {
      var lane = laneOf(element);
      panel.appendChild(el("p", { "class": lane ? "help" : "notice error" },
        lane ? t("Role: {role}", { role: lane.businessObject.name || t("(unnamed lane)") }) : t("No role: move the task into a lane.")));
      var forms = [["", t("(no form)")]].concat(data.forms.map(function (f) { return [f, f]; }));
      var form = getProperty(bo, FORM);
      if (form && data.forms.indexOf(form) < 0) { forms.push([form, t("{form} (missing)", { form: form })]); }
      panel.appendChild(field("form", t("Form"), choice(forms, form, function (value) { setProperty(element, FORM, value); })));
      var instructions = extensionValues(bo, "spiffworkflow:InstructionsForEndUser")[0];
      panel.appendChild(field("instructions", t("Instructions"), textInput(instructions ? instructions.text : "", function (value) {
        setInstructions(element, value);
      }, true)));
    }

    if (element.type === "bpmn:ScriptTask") {
      panel.appendChild(field("script", t("Script"), textInput(bo.script, function (value) {
        modeling.updateProperties(element, { scriptFormat: "python", script: value });
      }, true), t("Runs in the sandbox: no imports; read data and case, set_case_fact(...).")));
    }

    if (element.type === "bpmn:ReceiveTask") {
      referenceFields(element, bo, REFERENCES["bpmn:MessageEventDefinition"]);
    }
    (bo.eventDefinitions || []).forEach(function (definition) {
      var kind = REFERENCES[definition.$type];
      if (kind) { referenceFields(element, definition, kind); }
    });

    if (element.type === "bpmn:BusinessRuleTask") {
      var decision = decisionOf(bo);
      var chosen = decision ? decision.value : "";
      var options = data.decisions.map(function (d) { return [d, d]; });
      if (chosen && data.decisions.indexOf(chosen) < 0) { options.push([chosen, t("{decision} (not deployed)", { decision: chosen })]); }
      panel.appendChild(field("decision", t("Decision table"), choice([["", t("(choose a decision table)")]].concat(options), chosen,
        function (value) { setDecision(element, value); }),
        t("A deployed DMN decision: its outputs become the task's data. Edit tables from the pathway list.")));
    }

    if (element.type === "bpmn:CallActivity") {
      panel.appendChild(field("calls-pathway", t("Calls pathway"), choice(
        [["", t("(choose)")]].concat(data.processes.map(function (p) { return [p, p]; })),
        bo.calledElement, function (value) { modeling.updateProperties(element, { calledElement: value }); })));
    }

    if (element.type === "bpmn:SequenceFlow" && bo.sourceRef &&
        /Exclusive|Inclusive/.test(bo.sourceRef.$type)) {
      var gateway = registry.get(bo.sourceRef.id);
      var isDefault = gateway.businessObject.default === bo;
      var box = el("input", { type: "checkbox" });
      box.checked = isDefault;
      box.addEventListener("change", function () {
        modeling.updateProperties(gateway, { "default": box.checked ? bo : undefined });
        render();
      });
      panel.appendChild(field("default-flow", t("Default flow"), box, t("Taken when no condition holds.")));
      if (!isDefault) {
        panel.appendChild(field("condition", t("Condition"), textInput(bo.conditionExpression ? bo.conditionExpression.body : "", function (value) {
          modeling.updateProperties(element, { conditionExpression: value ? expression(value) : undefined });
        }), t("e.g. {example}", { example: "presumed_victim == True" })));
      }
    }

    var timer = (bo.eventDefinitions || []).filter(function (d) { return d.$type === "bpmn:TimerEventDefinition"; })[0];
    if (timer) {
      var kind = TIMER_KINDS.map(function (k) { return k[0]; }).filter(function (k) { return timer[k]; })[0] || "timeDuration";
      var value = timer[kind] ? timer[kind].body : "";
      var apply = function (newKind, newValue) {
        var update = { timeDuration: undefined, timeDate: undefined, timeCycle: undefined };
        update[newKind] = expression(newValue);
        modeling.updateModdleProperties(element, timer, update);
        render();
      };
      panel.appendChild(field("timer-type", t("Timer type"), choice(TIMER_KINDS, kind, function (k) { apply(k, value); })));
      panel.appendChild(field("timer", t("Timer"), textInput(value, function (v) { apply(kind, v); }),
        t("Working days: in_working_days(5); calendar months: add_months(date, 1).")));
    }
  }

  modeler.on("selection.changed", function (event) {
    selected = event.newSelection.length === 1 ? event.newSelection[0] : null;
    render();
  });

  /* -- the buttons (editor_actions.js) ---------------------------------------------------- */

  var marked = [];
  var actions = window.PathwaysEditor.wire(data, {
    xml: function () { return modeler.saveXML({ format: true }).then(function (r) { return r.xml; }); },
    clearMarks: function () {
      marked.forEach(function (m) { canvas.removeMarker(m[0], m[1]); });
      marked = [];
      modeler.get("overlays").remove({ type: "pp-problem" });
    },
    mark: function (item) {
      var id = item.element_id;
      if (!id || !registry.get(id)) { return; }
      var marker = item.level === "error" ? "pp-error" : "pp-warning";
      canvas.addMarker(id, marker);
      marked.push([id, marker]);
      modeler.get("overlays").add(id, "pp-problem", {
        position: { top: -12, right: 12 },
        html: el("span", { "class": "pp-badge " + marker, title: item.message }, item.level === "error" ? "!" : "?")
      });
    },
    select: function (id) {
      var target = registry.get(id);
      if (target) { modeler.get("selection").select(target); canvas.scrollToElement(target); }
    }
  });

  /* Fit the whole diagram, leaving the palette's strip on the left free so it covers nothing. */
  function paletteWidth() {
    var palette = document.querySelector("#canvas .djs-palette");
    var stage = document.getElementById("canvas").getBoundingClientRect();
    return palette ? palette.getBoundingClientRect().right - stage.left + 16 : 0;
  }

  function fit() {
    var PALETTE = paletteWidth();
    canvas.zoom("fit-viewport", "auto");
    var box = canvas.viewbox();
    var room = (box.outer.width - PALETTE) / box.outer.width;
    canvas.zoom(box.scale * room * 0.97, { x: box.x + box.width / 2, y: box.y + box.height / 2 });
    box = canvas.viewbox();
    canvas.scroll({ dx: PALETTE - (box.inner.x - box.x) * box.scale, dy: 0 });
  }

  function zoomBy(factor) { canvas.zoom(canvas.zoom() * factor); }
  document.getElementById("zoom-in").addEventListener("click", function () { zoomBy(1.25); });
  document.getElementById("zoom-out").addEventListener("click", function () { zoomBy(0.8); });
  document.getElementById("zoom-fit").addEventListener("click", fit);

  modeler.importXML(data.source).then(function () {
    fit();
    document.getElementById("canvas").setAttribute("data-ready", "1");
  }).catch(function (error) {
    actions.show(t("The diagram could not be opened: {why}", { why: error.message }), []);
  });
})();
