// Hall screen (大屏): live.js keeps the board current; a tap or a key press toggles
// full screen, and the cursor hides when idle.
(function () {
  "use strict";
  var hall = document.getElementById("hall");
  if (!hall) { return; }
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
