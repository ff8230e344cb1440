/* Live preview of a form while its JSON Schema is typed; the Preview button does the same
   without JavaScript. */
(function () {
  "use strict";
  var area = document.getElementById("schema");
  var preview = document.getElementById("preview");
  var body = document.getElementById("preview-body");
  if (!area || !preview || !body) { return; }
  var token = document.querySelector("input[name=csrf_token]").value;
  var timer = null;
  var latest = 0;

  function refresh() {
    var ticket = ++latest;
    fetch(preview.getAttribute("data-preview-url"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
      body: JSON.stringify({ schema: area.value })
    }).then(function (r) { return r.json(); }).then(function (json) {
      if (ticket !== latest) { return; } // an older answer arriving late
      var parsed = new DOMParser().parseFromString(json.html, "text/html"); // inert: scripts never run
      body.replaceChildren.apply(body, Array.prototype.slice.call(parsed.body.childNodes));
      preview.setAttribute("data-state", json.ok ? "ok" : "problems");
    });
  }

  area.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(refresh, 400);
  });
})();
