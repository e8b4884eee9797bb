// Collection staff pages: confirmation before merge and delete, the poster's print button.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form.getAttribute && form.getAttribute("data-collection-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
  Array.prototype.forEach.call(document.querySelectorAll("[data-print]"), function (button) {
    button.addEventListener("click", function () { window.print(); });
  });
})();
