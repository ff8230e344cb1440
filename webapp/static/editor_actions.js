/* The editor's buttons (Validate, Save draft, Run scenarios, Deploy, Download) shared by the
   diagram modeller and the decision-table editor: the server calls and the results list are the
   same for both, only reading the XML and pointing at an element differ, so each editor hands
   those over. Loaded before modeller.js / decision_editor.js, which also use its t(). */
(function () {
  "use strict";

  /* The page's translations (webapp/modeller/ui_texts.py, in the JSON block "ui-texts"): t()
     shows a text in the reader's language, or as written when it has no translation, and fills
     in its {name} placeholders from values. bpmn-js's own texts pass through it too. */
  var texts = (function () {
    var block = document.getElementById("ui-texts");
    try { return block ? JSON.parse(block.textContent) : {}; } catch (error) { return {}; }
  })();

  function t(text, values) {
    var own = Object.prototype.hasOwnProperty;
    var shown = own.call(texts, text) && texts[text] ? texts[text] : text;
    return String(shown).replace(/\{(\w+)\}/g, function (whole, name) {
      return values && own.call(values, name) && values[name] !== undefined ? String(values[name]) : whole;
    });
  }

  function el(tag, attrs, text) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (key) { node.setAttribute(key, attrs[key]); });
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function csrf() {
    var input = document.querySelector("input[name=csrf_token]");
    return input ? input.value : "";
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": csrf() },
      body: JSON.stringify(body)
    }).then(function (response) {
      return response.json().then(function (json) { return { ok: response.ok, body: json }; });
    });
  }

  /* editor: { xml() -> Promise of the source, mark(item), clearMarks(), select(elementId) } */
  function wire(data, editor) {
    var results = document.getElementById("results");

    function show(title, items, className) {
      results.textContent = "";
      results.appendChild(el("h2", {}, title));
      if (!items.length) { return; }
      var list = el("ul", { "class": className || "checks" });
      items.forEach(function (item) {
        var line = el("li", { "class": item.level || "" });
        if (item.element_id) {
          var link = el("button", { type: "button", "class": "link" }, item.element_id);
          link.addEventListener("click", function () { editor.select(item.element_id); });
          line.appendChild(link);
          line.appendChild(document.createTextNode(": "));
        }
        line.appendChild(document.createTextNode(item.message));
        list.appendChild(line);
      });
      results.appendChild(list);
    }

    function showCheck(body) {
      editor.clearMarks();
      var items = (body.problems || []).concat(body.warnings || []);
      items.forEach(editor.mark);
      show(items.length ? (body.problems && body.problems.length ? t("Problems: fix these before deploying") : t("Warnings")) : t("No problems found"), items);
      results.setAttribute("data-state", body.problems && body.problems.length ? "problems" : "ok");
    }

    function scenarioLine(s) {
      var values = { name: s.name, detail: s.detail };
      var message = s.passed ? (s.detail ? t("PASS {name}: {detail}", values) : t("PASS {name}", values))
        : (s.detail ? t("FAIL {name}: {detail}", values) : t("FAIL {name}", values));
      return { level: s.passed ? "passed" : "error", message: message };
    }

    function showScenarios(list, heading) {
      show(heading, list.map(scenarioLine));
    }

    function busy(button, work) {
      button.disabled = true;
      results.setAttribute("data-state", "working");
      work().catch(function (error) { show(t("Something went wrong: {why}", { why: error.message }), []); })
        .then(function () { button.disabled = false; });
    }

    function send(url, extra) {
      return editor.xml().then(function (source) { return post(url, Object.assign({ source: source }, extra || {})); });
    }

    document.getElementById("validate").addEventListener("click", function (event) {
      busy(event.target, function () {
        return send(data.urls.validate).then(function (r) { showCheck(r.body); });
      });
    });

    document.getElementById("save-draft").addEventListener("click", function (event) {
      busy(event.target, function () {
        return send(data.urls.save_draft).then(function (r) {
          show(r.ok ? r.body.message : t("Not saved: {why}", { why: r.body.message }), []);
          results.setAttribute("data-state", r.ok ? "saved" : "problems");
          if (r.ok) { document.getElementById("source-state").textContent = t("Editing the saved draft (not live)"); }
        });
      });
    });

    /* One request per scenario, so each result shows as soon as it is known (a full run takes
       about a minute); the heading says how far it got. */
    function runScenarios(source, names) {
      var done = [];
      var failed = 0;
      function next(index) {
        show(t("Running scenario {number} of {total}…", { number: index + 1, total: names.length }), done.map(scenarioLine));
        results.setAttribute("data-progress", index + "/" + names.length);
        if (index >= names.length) {
          showScenarios(done, failed
            ? t("{failed} of {total} scenarios fail: this draft would break a rule", { failed: failed, total: names.length })
            : t("Every scenario passes ({total})", { total: names.length }));
          results.setAttribute("data-state", failed ? "problems" : "ok");
          return Promise.resolve();
        }
        return post(data.urls.simulate, { source: source, scenario: names[index] }).then(function (r) {
          if (!r.ok) { showCheck(r.body); return Promise.resolve(); }
          r.body.scenarios.forEach(function (s) { done.push(s); if (!s.passed) { failed += 1; } });
          return next(index + 1);
        });
      }
      return next(0);
    }

    document.getElementById("simulate").addEventListener("click", function (event) {
      busy(event.target, function () {
        return editor.xml().then(function (source) {
          if (data.scenarios && data.scenarios.length) { return runScenarios(source, data.scenarios); }
          return post(data.urls.simulate, { source: source }).then(function (r) {
            if (!r.ok) { showCheck(r.body); return; }
            showScenarios(r.body.scenarios, r.body.passed ? t("Every scenario passes") : t("Scenarios fail: this draft would break a rule"));
            results.setAttribute("data-state", r.body.passed ? "ok" : "problems");
          });
        });
      });
    });

    document.getElementById("deploy").addEventListener("click", function (event) {
      var note = document.getElementById("change-note");
      if (!note.value.trim()) { note.focus(); show(t("Write a change note: what changed and why."), []); return; }
      busy(event.target, function () {
        return send(data.urls.deploy, { note: note.value }).then(function (r) {
          if (r.ok) {
            editor.clearMarks();
            show(r.body.unchanged ? t("Nothing changed: no new version.") : t("Deployed: {versions}", {
              versions: r.body.deployed.map(function (d) {
                return t("{key} version {version}", { key: d.process_key, version: d.version });
              }).join(", ")
            }), []);
            results.setAttribute("data-state", "deployed");
            document.getElementById("source-state").textContent = t("Editing the deployed version");
          } else if (r.body.scenarios) {
            showScenarios(r.body.scenarios, t("Not deployed: scenarios fail on this draft"));
            results.setAttribute("data-state", "problems");
          } else if (r.body.problems) {
            showCheck(r.body);
          } else {
            show(t("Not deployed: {why}", { why: r.body.message }), []);
            results.setAttribute("data-state", "problems");
          }
        });
      });
    });

    document.getElementById("download").addEventListener("click", function (event) {
      var link = event.currentTarget;
      if (link.getAttribute("data-ready")) { return; }
      event.preventDefault();
      editor.xml().then(function (source) {
        link.href = URL.createObjectURL(new Blob([source], { type: "application/xml" }));
        link.setAttribute("data-ready", "1");
        link.click();
        link.removeAttribute("data-ready");
      });
    });

    return { show: show };
  }

  window.PathwaysEditor = { el: el, wire: wire, t: t };
})();
