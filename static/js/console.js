// Secretariat console: confirmation before consequential actions, printing, table
// filters, and the ballot editor (fields by kind, the rule in plain Chinese).
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });

  // Filters: type to hide rows of the table named by data-filter; kept across live refreshes.
  function applyFilter(input) {
    var table = document.querySelector(input.getAttribute("data-filter"));
    if (!table) { return; }
    var needle = input.value.trim().toLowerCase();
    Array.prototype.forEach.call(table.querySelectorAll("tbody tr"), function (row) {
      row.hidden = needle !== "" && row.textContent.toLowerCase().indexOf(needle) === -1;
    });
  }
  var filters = document.querySelectorAll("input[data-filter]");
  Array.prototype.forEach.call(filters, function (input) {
    input.addEventListener("input", function () { applyFilter(input); });
  });
  document.addEventListener("live:updated", function () {
    Array.prototype.forEach.call(filters, applyFilter);
  });

  // The ballot editor.
  var editor = document.getElementById("ballot-editor");
  if (!editor) { return; }
  var preview = document.getElementById("rule-preview");
  var timer = null;

  function kind() {
    var checked = editor.querySelector("input[name=kind]:checked");
    return checked ? checked.value : "";
  }

  function mode() { return editor.elements.mode ? editor.elements.mode.value : "rate"; }

  function arrange() {
    var k = kind();
    Array.prototype.forEach.call(editor.querySelectorAll("[data-kind-only]"), function (el) {
      el.hidden = el.getAttribute("data-kind-only") !== k;
    });
    Array.prototype.forEach.call(editor.querySelectorAll("[data-mode-only]"), function (el) {
      el.hidden = k !== "appraisal" || el.getAttribute("data-mode-only") !== mode();
    });
    Array.prototype.forEach.call(editor.querySelectorAll("[data-mode-not]"), function (el) {
      el.hidden = k === "appraisal" && el.getAttribute("data-mode-not") === mode();
    });
    editor.elements.seats.required = k === "selection";
  }

  function updatePreview() {
    var params = new URLSearchParams();
    Array.prototype.forEach.call(editor.elements, function (el) {
      if (!el.name || el.name === "csrf_token" || el.name === "items" || el.name === "title") { return; }
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) { return; }
      params.append(el.name, el.value);
    });
    fetch(editor.getAttribute("data-preview") + "?" + params.toString(), { credentials: "same-origin" })
      .then(function (response) { return response.json(); })
      .then(function (data) {
        preview.textContent = data.text || data.error || "";
        preview.classList.toggle("error", !data.text);
      })
      .catch(function () { /* keep the last preview */ });
  }

  editor.addEventListener("input", function () {
    arrange();
    if (timer) { clearTimeout(timer); }
    timer = setTimeout(updatePreview, 250);
  });
  editor.addEventListener("change", function () { arrange(); updatePreview(); });
  arrange();
})();
