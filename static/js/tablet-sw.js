// The tablet's service worker (served at /tablet-sw.js, scope "/"): when the hall's
// Wi-Fi drops and a deputy reloads, the tablet page and what it needs come back from
// this device's cache instead of an error page. Network first, always: while the
// network answers, the tablet sees the server's answer and the cache is only refreshed.
// Kept: the /tablet page, /static/ assets, GET /api/v1/ballots/<id> (the ballot's
// items) and GET /api/v1/meetings/<id>/live (the meeting's state). Never kept: any
// POST (a vote is never replayed from here: tablet.js keeps and retries it with its
// Idempotency-Key), the event stream, and every other page.
"use strict";

var CACHE = "voting-tablet-v1";
var KEPT = [
  /^\/tablet$/,
  /^\/static\//,
  /^\/api\/v1\/ballots\/[^/]+$/,
  /^\/api\/v1\/meetings\/[^/]+\/live$/
];

function kept(url) {
  if (url.origin !== self.location.origin || url.search) { return false; }
  return KEPT.some(function (pattern) { return pattern.test(url.pathname); });
}

self.addEventListener("install", function () { self.skipWaiting(); });

self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (names) {
    return Promise.all(names.filter(function (name) { return name !== CACHE; })
      .map(function (name) { return caches.delete(name); }));
  }).then(function () { return self.clients.claim(); }));
});

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (request.method !== "GET" || !kept(url)) { return; }  // the browser's own handling
  event.respondWith(fetch(request).then(function (response) {
    // only a good, same-origin answer replaces what the device keeps (never a 401 page)
    if (response.ok && response.type === "basic" && !response.redirected) {
      var copy = response.clone();
      event.waitUntil(caches.open(CACHE).then(function (cache) { return cache.put(url.pathname, copy); }));
    }
    return response;
  }, function (failure) {
    return caches.open(CACHE).then(function (cache) { return cache.match(url.pathname); })
      .then(function (hit) { if (hit) { return hit; } throw failure; });
  }));
});

// The page posts {keep: [urls]} once the worker controls it: the assets it loaded before
// the worker existed are fetched and kept now, so the first drop already finds them.
self.addEventListener("message", function (event) {
  var data = event.data || {};
  if (!Array.isArray(data.keep)) { return; }
  var urls = data.keep.map(function (u) { return new URL(u, self.location.origin); }).filter(kept);
  event.waitUntil(caches.open(CACHE).then(function (cache) {
    return Promise.all(urls.map(function (url) {
      return fetch(url.pathname, { credentials: "same-origin", cache: "no-store" }).then(function (response) {
        if (response.ok && !response.redirected) { return cache.put(url.pathname, response); }
        return null;
      });
    }));
  }).then(function () {
    if (event.ports && event.ports[0]) { event.ports[0].postMessage({ kept: true }); }
  }, function () {
    if (event.ports && event.ports[0]) { event.ports[0].postMessage({ kept: false }); }
  }));
});
