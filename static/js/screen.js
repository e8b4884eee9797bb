// Hall screen (大屏): live.js keeps the board current; a result longer than the screen
// turns page by page by itself (every data-page-seconds); a tap or a key press
// toggles full screen, and the cursor hides when idle.
(function () {
  "use strict";
  var hall = document.getElementById("hall");
  if (!hall) { return; }
  var timer = null;
  var current = 0;

  function pageSeconds() { return Math.max(Number(hall.getAttribute("data-page-seconds")) || 8, 1); }

  // Split the result rows into pages that fit the room left on the screen. Each page
  // holds at least one row; the table says which page shows (data-page / data-pages,
  // from 1) and fires "hall:page" whenever it turns.
  function paginate() {
    if (timer) { clearInterval(timer); timer = null; }
    var box = hall.querySelector("[data-hall-pages]");
    var table = box && box.querySelector("table.results");
    var pager = hall.querySelector("[data-hall-pager]");
    if (!table || !table.tBodies.length) { return; }
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    rows.forEach(function (row) { row.hidden = false; });
    var head = table.tHead ? table.tHead.getBoundingClientRect().height : 0;
    var room = box.getBoundingClientRect().height - head - 2;
    var pages = 0, used = 0, count = 0;
    rows.forEach(function (row) {
      var height = row.getBoundingClientRect().height;
      if (count > 0 && used + height > room) { pages += 1; used = 0; count = 0; }
      row.setAttribute("data-page", String(pages + 1));
      used += height;
      count += 1;
    });
    pages += rows.length ? 1 : 0;
    if (current >= pages) { current = 0; }
    table.setAttribute("data-pages", String(pages));
    function show(index) {
      current = index;
      rows.forEach(function (row) { row.hidden = row.getAttribute("data-page") !== String(index + 1); });
      table.setAttribute("data-page", String(index + 1));
      if (pager) { pager.textContent = pages > 1 ? "第 " + (index + 1) + " / " + pages + " 页（共 " + rows.length + " 项）" : ""; }
      hall.dispatchEvent(new CustomEvent("hall:page", { detail: { page: index + 1, pages: pages } }));
    }
    show(current);
    if (pages > 1) {
      timer = setInterval(function () { show((current + 1) % pages); }, pageSeconds() * 1000);
    }
  }

  hall.addEventListener("live:updated", paginate);
  var resizing = null;
  window.addEventListener("resize", function () {
    if (resizing) { clearTimeout(resizing); }
    resizing = setTimeout(paginate, 150);
  });
  if (document.fonts && document.fonts.ready) { document.fonts.ready.then(paginate); } else { paginate(); }
  paginate();

  function toggleFullscreen() {
    if (!document.fullscreenElement && document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () { /* not allowed: stay windowed */ });
    } else if (document.exitFullscreen && document.fullscreenElement) {
      document.exitFullscreen();
    }
  }
  document.addEventListener("dblclick", toggleFullscreen);
  document.addEventListener("keydown", function (event) { if (event.key === "f" || event.key === "F") { toggleFullscreen(); } });
  var idle = null;
  document.addEventListener("mousemove", function () {
    document.body.classList.remove("hide-cursor");
    if (idle) { clearTimeout(idle); }
    idle = setTimeout(function () { document.body.classList.add("hide-cursor"); }, 3000);
  });
})();
