// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Conditional questions: show a field only when the answer it depends on has the given value.
  function currentValue(form, name) {
    const checked = form.querySelector('input[name="' + CSS.escape(name) + '"]:checked');
    if (checked) return checked.value;
    const other = form.querySelector('[name="' + CSS.escape(name) + '"]:not([type=radio]):not([type=checkbox])');
    return other ? other.value : "";
  }

  function refresh(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (field) {
      const shown = currentValue(form, field.dataset.showWhen) === field.dataset.showValue;
      field.hidden = !shown && !field.classList.contains("has-error");
    });
  }

  document.querySelectorAll("form").forEach(function (form) {
    if (!form.querySelector("[data-show-when]")) return;
    form.addEventListener("change", function () { refresh(form); });
    refresh(form);
  });

  // After a refused submission, take keyboard and screen-reader users to the list of problems.
  const problems = document.getElementById("problems");
  if (problems) problems.focus();

  // Printable documents: a button instead of asking people to find the browser's menu.
  document.querySelectorAll("[data-print]").forEach(function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  document.documentElement.dataset.enhanced = "true"; // tells tests the page is fully set up
})();
