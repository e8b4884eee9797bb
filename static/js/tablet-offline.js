// Registers the tablet's service worker (static/js/tablet-sw.js, served at
// /tablet-sw.js) where the browser allows one: over HTTPS, or on localhost. Once it
// controls the page, the worker is asked to keep this page and the assets it loaded,
// and html[data-offline-ready="1"] says a reload during a Wi-Fi drop will show the page.
(function () {
  "use strict";
  if (!("serviceWorker" in navigator) || !window.isSecureContext) { return; }

  function assets() {
    var urls = [window.location.pathname];
    Array.prototype.forEach.call(document.querySelectorAll("script[src], link[rel=stylesheet][href]"), function (el) {
      urls.push(el.getAttribute("src") || el.getAttribute("href"));
    });
    return urls;
  }

  function keep(worker) {
    var channel = new MessageChannel();
    channel.port1.onmessage = function (event) {
      if (event.data && event.data.kept) { document.documentElement.setAttribute("data-offline-ready", "1"); }
    };
    worker.postMessage({ keep: assets() }, [channel.port2]);
  }

  navigator.serviceWorker.register("/tablet-sw.js", { scope: "/" }).then(function () {
    return navigator.serviceWorker.ready;
  }).then(function (registration) {
    keep(registration.active);
  }).catch(function () { /* no worker: the tablet works online as before */ });
})();
