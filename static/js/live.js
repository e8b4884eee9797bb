// Live updates of a meeting: Server-Sent Events, falling back to polling the JSON
// snapshot every 2 s when the stream cannot be used. Pages mark the part that should
// follow the meeting with data-live-meeting (+ data-live-screen for the hall screen)
// and data-live-fragment="<url of that part as HTML>"; it is fetched again whenever
// the meeting changes. The tablet uses VotingLive.subscribe directly.
(function () {
  "use strict";
  var POLL_MS = 2000;
  var STREAM_RETRY_MS = 30000;

  function urls(meetingId, screenToken) {
    var base = "/api/v1/meetings/" + encodeURIComponent(meetingId);
    var query = screenToken ? "?screen=" + encodeURIComponent(screenToken) : "";
    return { events: base + "/events" + query, live: base + "/live" + query };
  }

  // onSnapshot(snapshot) runs once per new version; onLink(state) with state one of
  // "live", "polling", "reconnecting", "offline", "unauthorized".
  function subscribe(meetingId, screenToken, onSnapshot, onLink) {
    var where = urls(meetingId, screenToken);
    var version = null;
    var source = null;
    var pollTimer = null;
    var stopped = false;
    onLink = onLink || function () {};

    function deliver(snapshot) {
      if (!snapshot || snapshot.version === version) { return; }
      version = snapshot.version;
      onSnapshot(snapshot);
    }

    function poll() {
      pollTimer = null;
      if (stopped) { return; }
      fetch(where.live, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "application/json" } })
        .then(function (response) {
          if (response.status === 401) { stopped = true; onLink("unauthorized"); return null; }
          if (!response.ok) { throw new Error("HTTP " + response.status); }
          return response.json();
        })
        .then(function (snapshot) {
          if (snapshot) { onLink(source ? "live" : "polling"); deliver(snapshot); }
        })
        .catch(function () { onLink("offline"); })
        .then(function () { if (!stopped && !source) { pollTimer = setTimeout(poll, POLL_MS); } });
    }

    function startPolling() {
      if (pollTimer === null && !stopped) { pollTimer = setTimeout(poll, 0); }
    }

    function openStream() {
      if (stopped) { return; }
      if (!window.EventSource) { startPolling(); return; }
      var stream = new EventSource(where.events);
      source = stream;
      stream.onopen = function () {
        onLink("live");
        if (pollTimer !== null) { clearTimeout(pollTimer); pollTimer = null; }
      };
      stream.onmessage = function (event) {
        onLink("live");
        try { deliver(JSON.parse(event.data)); } catch (e) { /* a broken event: the next one repairs it */ }
      };
      stream.onerror = function () {
        if (stream.readyState === 2) {  // CLOSED: refused (e.g. 401) or not a stream; poll instead
          stream.close();
          source = null;
          onLink("polling");
          startPolling();
          setTimeout(openStream, STREAM_RETRY_MS);
        } else {
          onLink("reconnecting");  // the browser reconnects by itself (retry: 1000)
        }
      };
    }

    openStream();
    return {
      refresh: function () { version = null; startPolling(); },
      stop: function () { stopped = true; if (source) { source.close(); } if (pollTimer) { clearTimeout(pollTimer); } }
    };
  }

  var LINK_TEXT = { live: "实时连接", polling: "已连接（轮询）", reconnecting: "正在重新连接…",
                    offline: "网络中断，正在重试…", unauthorized: "登录已失效" };

  function showLink(state) {
    var element = document.getElementById("link-state");
    if (!element) { return; }
    element.textContent = element.classList.contains("hall-link") ? "●" : (LINK_TEXT[state] || "");
    element.setAttribute("data-state", state);
    element.title = LINK_TEXT[state] || "";
  }

  // Once a form on the page is being submitted (and not cancelled at its confirmation),
  // page parts are no longer replaced: replacing the form could cancel its submission.
  var leaving = false;
  window.addEventListener("submit", function (event) { if (!event.defaultPrevented) { leaving = true; } });
  window.addEventListener("pagehide", function () { leaving = true; });
  window.addEventListener("pageshow", function () { leaving = false; });

  // Fetch a page part again; at most one request in flight, the last change wins.
  function fragmentRefresher(element) {
    var url = element.getAttribute("data-live-fragment");
    var busy = false;
    var again = false;
    function refresh() {
      if (busy) { again = true; return; }
      busy = true;
      fetch(url, { credentials: "same-origin", cache: "no-store", headers: { "Accept": "text/html" } })
        .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.text(); })
        .then(function (html) {
          if (leaving) { return; }
          element.innerHTML = html;
          element.dispatchEvent(new CustomEvent("live:updated", { bubbles: true }));
        })
        .catch(function () { showLink("offline"); })
        .then(function () { busy = false; if (again) { again = false; refresh(); } });
    }
    return refresh;
  }

  window.VotingLive = { subscribe: subscribe, showLink: showLink };

  Array.prototype.forEach.call(document.querySelectorAll("[data-live-meeting][data-live-fragment]"), function (element) {
    var refresh = fragmentRefresher(element);
    // The first snapshot refreshes too: something may have changed since the page was rendered.
    subscribe(element.getAttribute("data-live-meeting"), element.getAttribute("data-live-screen"), function (snapshot) {
      element.setAttribute("data-live-version", snapshot.version);
      refresh();
    }, showLink);
  });
})();
