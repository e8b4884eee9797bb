// Intake forms (the public page and the staff entry form): show existing similar
// proposals while the title is typed, from the form's data-similar-url, and count
// characters of long fields. Works without this script too.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var url = form.getAttribute("data-similar-url");
  var title = document.getElementById("f-title");
  var box = document.getElementById("similar-box");
  var list = document.getElementById("similar-list");
  var timer = null;
  var lastQuery = "";

  function show(items) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    items.forEach(function (item) {
      var li = document.createElement("li");
      li.textContent = item.title;  // text only: never parsed as HTML
      list.appendChild(li);
    });
    box.hidden = items.length === 0;
  }

  function lookUp() {
    var query = title.value.trim();
    if (query === lastQuery) { return; }
    lastQuery = query;
    if (query.length < 3) { show([]); return; }
    fetch(url + "?q=" + encodeURIComponent(query), { headers: { "Accept": "application/json" }, credentials: "same-origin" })
      .then(function (response) { return response.ok ? response.json() : { similar: [] }; })
      .then(function (data) { if (title.value.trim() === query) { show(data.similar || []); } })
      .catch(function () { show([]); });
  }

  if (url && title && box && list) {
    title.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(lookUp, 400);
    });
  }

  Array.prototype.forEach.call(form.querySelectorAll("textarea[data-counter]"), function (area) {
    var limit = parseInt(area.getAttribute("data-counter"), 10);
    var counter = document.createElement("small");
    counter.className = "hint counter";
    area.parentNode.insertBefore(counter, area.nextSibling);
    function update() { counter.textContent = "已写 " + area.value.length + " / " + limit + " 字"; }
    area.addEventListener("input", update);
    update();
  });

  form.addEventListener("submit", function () {
    var button = form.querySelector("button[type=submit]");
    if (button) { button.disabled = true; button.textContent = "正在提交…"; }
  });
})();
