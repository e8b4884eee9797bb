// Ballot timers (issue #20): every [data-deadline] element counts down to its deadline
// (ISO UTC) once a second, corrected by the server's clock (the Date header of a
// request to its data-live-url). At zero it says 时间到 and asks the live snapshot
// once: that request is the event on which the server closes the ballot (or asks
// the secretariat), as the meeting chose; the page then updates through live.js.
(function () {
  "use strict";
  var offset = 0;  // server time minus this device's time, in ms
  var asked = {};

  function measure(url) {
    if (!url) { return Promise.resolve(); }
    return fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
      .then(function (response) {
        var date = response.headers.get("Date");
        if (date) { offset = new Date(date).getTime() - Date.now(); }
      })
      .catch(function () { /* offline: keep the last offset */ });
  }

  function text(seconds) {
    var minutes = Math.floor(seconds / 60);
    var rest = seconds % 60;
    return "剩余 " + minutes + ":" + (rest < 10 ? "0" : "") + rest;
  }

  function tick() {
    var now = Date.now() + offset;
    Array.prototype.forEach.call(document.querySelectorAll("[data-deadline]"), function (el) {
      var deadline = new Date(el.getAttribute("data-deadline")).getTime();
      var seconds = Math.max(0, Math.ceil((deadline - now) / 1000));
      if (seconds > 0) {
        el.textContent = text(seconds);
        el.classList.toggle("is-ending", seconds <= 30);
        return;
      }
      el.textContent = "时间到";
      el.classList.add("is-zero");
      var key = el.getAttribute("data-deadline") + "|" + (el.getAttribute("data-live-url") || "");
      if (!asked[key]) {
        asked[key] = true;
        measure(el.getAttribute("data-live-url"));
      }
    });
  }

  var first = document.querySelector("[data-live-url]");
  measure(first ? first.getAttribute("data-live-url") : "").then(tick);
  setInterval(tick, 1000);
  document.addEventListener("live:updated", tick);
  window.VotingCountdown = { tick: tick, text: text, serverNow: function () { return Date.now() + offset; } };
})();
