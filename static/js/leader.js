// Leader view: live.js refreshes the board; this marks when it was last brought up to date.
(function () {
  "use strict";
  var stamp = document.createElement("p");
  stamp.className = "muted live-stamp";
  stamp.setAttribute("aria-live", "polite");
  var board = document.querySelector("[data-live-fragment]");
  if (!board) { return; }
  board.parentNode.insertBefore(stamp, board);
  function mark() {
    var now = new Date();
    var pad = function (n) { return (n < 10 ? "0" : "") + n; };
    stamp.textContent = "实时更新 · 最近刷新 " + pad(now.getHours()) + ":" + pad(now.getMinutes()) + ":" + pad(now.getSeconds());
  }
  mark();
  document.addEventListener("live:updated", mark);
})();
