// Tally sheets and paper-ballot entry: the print button, and forms that submit once
// (a double tap must not enter the same paper ballot twice).
(function () {
  "use strict";
  Array.prototype.forEach.call(document.querySelectorAll("[data-sheet-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.hasAttribute || !form.hasAttribute("data-submit-once")) { return; }
    var question = form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); return; }
    if (form.getAttribute("data-submitted") === "1") { event.preventDefault(); return; }
    form.setAttribute("data-submitted", "1");
    Array.prototype.forEach.call(form.querySelectorAll("button[type=submit]"), function (button) {
      button.disabled = true;
    });
  });
})();
