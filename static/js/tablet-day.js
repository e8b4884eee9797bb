// The tablet's large-text switch (大字) for older deputies: kept per tablet in this
// device's localStorage (not per deputy), applied before the page is first painted.
(function () {
  "use strict";
  var KEY = "voting.tablet.largeText";
  var button = document.getElementById("large-text");

  function stored() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (e) { return false; }
  }

  function apply(on) {
    document.body.classList.toggle("t-large", on);
    if (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
      button.textContent = on ? "标准字" : "大字";
    }
  }

  apply(stored());
  if (button) {
    button.addEventListener("click", function () {
      var on = !document.body.classList.contains("t-large");
      try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (e) { /* private mode: this visit only */ }
      apply(on);
    });
  }
})();
