// The deputy's tablet: waits for a ballot, shows it by itself when it opens, takes the
// choices (refusing a yes beyond the seats), shows them for review, and submits them
// to POST /api/v1/ballots/<id>/votes with one Idempotency-Key per ballot. The key and
// the choices are kept in localStorage until the server answers, so a lost
// connection or a reload retries the very same vote; after the answer the choices
// are wiped from the device and only the receipt code stays.
(function () {
  "use strict";
  var root = document.getElementById("tablet");
  if (!root) { return; }

  var meetingId = root.getAttribute("data-meeting");
  var deputyId = root.getAttribute("data-deputy");
  var csrfToken = root.getAttribute("data-csrf");
  var ballotUrl = root.getAttribute("data-ballot-url");
  var voteUrl = root.getAttribute("data-vote-url");
  var qrUrl = root.getAttribute("data-qr-url");
  var signoutUrl = root.getAttribute("data-signout-url");
  var checkinUrl = root.getAttribute("data-checkin-url");
  var liveUrl = root.getAttribute("data-live");
  var presence = root.getAttribute("data-status") || "present";  // present | left | leave | absent
  var optionNames = JSON.parse(root.getAttribute("data-options") || "{}");
  var STORE = "voting.tablet.d" + deputyId + ".b";
  var SNAPSHOT_STORE = "voting.tablet.d" + deputyId + ".m" + meetingId;  // the last meeting state seen
  var SCREENS = ["wait", "ballot", "review", "sending", "done", "away", "ended"];
  var FIRST_RETRY_MS = 500;
  var MAX_RETRY_MS = 4000;
  var ANSWER_TIMEOUT_MS = 10000;

  var snapshot = null;
  var current = "wait";
  var ballot = null;          // the ballot on screen (from GET /api/v1/ballots/<id>)
  var record = null;          // its stored record: {key, choices, status, receipt, title}
  var settled = {};           // ballot id -> "done" | "paper" | "ineligible" | "closed"
  var loading = null;         // ballot id being fetched
  var sendingBallot = null;

  function $(id) { return document.getElementById(id); }

  function show(name) {
    SCREENS.forEach(function (screen) { $("screen-" + screen).hidden = screen !== name; });
    current = name;
    window.scrollTo(0, 0);
  }

  function label(option) { return optionNames[option] || option; }

  // --- storage -------------------------------------------------------------------------

  function load(ballotId) {
    try { return JSON.parse(window.localStorage.getItem(STORE + ballotId)); } catch (e) { return null; }
  }

  function save(ballotId, value) {
    try { window.localStorage.setItem(STORE + ballotId, JSON.stringify(value)); } catch (e) { /* private mode */ }
  }

  function storedRecords() {
    var found = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) {
        var name = window.localStorage.key(i);
        if (name && name.indexOf(STORE) === 0) {
          var value = load(name.slice(STORE.length));
          if (value) { found.push({ id: name.slice(STORE.length), record: value }); }
        }
      }
    } catch (e) { /* storage unavailable */ }
    return found;
  }

  function newKey() {
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  // --- the waiting screen ----------------------------------------------------------------

  function stateText(entry) {
    if (entry.state === "open") {
      if (settled[entry.id] === "done") { return ["已投票", "badge-ok"]; }
      if (settled[entry.id] === "paper") { return ["已领纸质选票", "badge"]; }
      if (settled[entry.id] === "ineligible") { return ["未参加（开始后签到）", "badge"]; }
      return ["请投票", "badge-warn"];
    }
    if (entry.state === "published") { return ["已公布", "badge"]; }
    if (entry.rehearsal) { return ["试表决已结束", "badge"]; }
    return ["已结束", "badge"];
  }

  function renderWait(message) {
    var list = $("wait-list");
    if (snapshot) {
      list.textContent = "";
      snapshot.ballots.forEach(function (entry) {
        var item = document.createElement("li");
        item.className = "tablet-ballot";
        item.setAttribute("data-ballot", entry.id);
        var title = document.createElement("strong");
        title.textContent = (entry.rehearsal ? "【试表决】" : "") + entry.title;
        var badge = document.createElement("span");
        var text = stateText(entry);
        badge.className = "badge " + text[1];
        badge.textContent = text[0];
        item.appendChild(title);
        item.appendChild(badge);
        list.appendChild(item);
      });
    }
    if (message) { $("wait-text").textContent = message; }
    var receipts = storedRecords().filter(function (r) { return r.record.receipt; });
    var box = $("receipts");
    box.hidden = receipts.length === 0;
    var out = $("receipt-list");
    out.textContent = "";
    receipts.forEach(function (r) {
      var item = document.createElement("li");
      item.textContent = (r.record.title || "表决") + "：" + r.record.receipt;
      out.appendChild(item);
    });
  }

  function nextOpenBallot() {
    if (!snapshot || snapshot.meeting.closed) { return null; }
    for (var i = 0; i < snapshot.ballots.length; i++) {
      var entry = snapshot.ballots[i];
      if (entry.state === "open" && !settled[entry.id]) { return entry; }
    }
    return null;
  }

  // --- following the meeting ---------------------------------------------------------------

  function onSnapshot(next) {
    snapshot = next;
    try { window.localStorage.setItem(SNAPSHOT_STORE, JSON.stringify(next)); } catch (e) { /* private mode */ }
    if (next.meeting.closed) {
      $("ended-title").textContent = "会议已结束";
      $("ended-text").textContent = "本次会议已经结束，谢谢。";
      if (!sendingBallot) { show("ended"); }
      return;
    }
    var openIds = {};
    next.ballots.forEach(function (entry) { if (entry.state === "open") { openIds[entry.id] = true; } });
    // The ballot on screen closed before the deputy submitted.
    if (ballot && (current === "ballot" || current === "review") && !openIds[ballot.id]) {
      var title = ballot.title;
      closeRecord(ballot.id);
      ballot = null;
      show("wait");
      renderWait("表决“" + title + "”已经结束，您没有提交选票。");
      return;
    }
    if (current === "wait") {
      renderWait();
      considerNext();
    } else if (current === "done") {
      var waiting = nextOpenBallot();
      $("done-next").textContent = waiting ? "进入新的表决：" + waiting.title : "完成";
    }
  }

  // What is true of the open ballots the deputy cannot vote on now: done, on paper,
  // or issued before the deputy checked in (a late deputy never "completed" them).
  function waitMessage() {
    var open = snapshot ? snapshot.ballots.filter(function (b) { return b.state === "open"; }) : [];
    if (!open.length) { return "目前没有需要您投票的表决。表决开始后，选票会自动出现在这里。"; }
    var parts = [];
    var late = open.filter(function (b) { return settled[b.id] === "ineligible"; });
    var paper = open.filter(function (b) { return settled[b.id] === "paper"; });
    var done = open.filter(function (b) { return settled[b.id] === "done"; });
    if (late.length) {
      parts.push("“" + late.map(function (b) { return b.title; }).join("”“") +
        "”开始时您尚未签到，本项表决没有发给您，您不参加本项表决。");
    }
    if (paper.length) {
      parts.push("“" + paper.map(function (b) { return b.title; }).join("”“") +
        "”您已领取纸质选票，请在纸质选票上填写并投入票箱。");
    }
    if (done.length) { parts.push("您已对“" + done.map(function (b) { return b.title; }).join("”“") + "”投票。"); }
    return parts.join("") + "新的表决开始后，选票会自动出现在这里。";
  }

  function considerNext() {
    if (presence !== "present") { showAway(); return; }
    var entry = nextOpenBallot();
    if (!entry) {
      renderWait(waitMessage());
      return;
    }
    openBallot(entry.id);
  }

  function openBallot(ballotId) {
    if (loading === ballotId) { return; }
    loading = ballotId;
    $("wait-text").textContent = "表决已开始，正在打开选票…";
    fetch(ballotUrl.replace("BID", ballotId), { credentials: "same-origin", cache: "no-store",
                                                  headers: { "Accept": "application/json" } })
      .then(function (response) {
        if (response.status === 401) { unauthorized(); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        loading = null;
        if (!data || current !== "wait") { return; }
        var stored = load(ballotId);
        if (data.voted && data.voted_channel === "paper") {
          settled[ballotId] = "paper";
          save(ballotId, { status: "paper", title: data.title });
          renderWait();
          considerNext();
          return;
        }
        if (data.attendance && data.attendance !== "present" && !data.voted) {
          presence = data.attendance;
          showAway();
          return;
        }
        if (data.voted) {
          settled[ballotId] = "done";
          if (!stored || stored.status !== "done") {
            save(ballotId, { status: "done", receipt: stored && stored.receipt, title: data.title });
          }
          renderWait();
          considerNext();
          return;
        }
        if (data.eligible === false) {
          settled[ballotId] = "ineligible";
          considerNext();
          return;
        }
        if (data.state !== "open") { return; }
        if (stored && stored.status === "sending") { resume(ballotId, stored); return; }
        ballot = data;
        record = stored && stored.status === "choosing" && stored.key ? stored
          : { key: newKey(), choices: {}, status: "choosing", title: data.title };
        save(ballot.id, record);
        renderBallot();
        show("ballot");
      })
      .catch(function () {
        loading = null;
        renderWait("网络不稳定，正在重新打开选票…");
        setTimeout(function () { if (current === "wait") { considerNext(); } }, 2000);
      });
  }

  // --- choosing -------------------------------------------------------------------------------

  function yesCount() {
    var n = 0;
    Object.keys(record.choices).forEach(function (item) { if (record.choices[item] === "yes") { n += 1; } });
    return n;
  }

  function alertText(text) {
    var box = $("ballot-alert");
    box.textContent = text || "";
    box.hidden = !text;
  }

  function renderCounter() {
    var counter = $("counter");
    counter.hidden = !ballot.seats;
    if (ballot.seats) {
      var n = yesCount();
      $("counter-text").textContent = "已选赞成 " + n + " / 应选 " + ballot.seats;
      counter.classList.toggle("is-full", n >= ballot.seats);
    }
  }

  function renderBallot() {
    // a later round's title usually says its round already (……（第2轮）): say it once
    var suffix = "（第" + ballot.round + "轮）";
    var named = ballot.title.slice(-suffix.length) === suffix;
    $("ballot-title").textContent = ballot.title + (ballot.round > 1 && !named ? suffix : "");
    $("ballot-rule").textContent = ballot.rule_text || "";
    $("ballot-rehearsal").hidden = !ballot.rehearsal;
    $("ballot-named").hidden = ballot.secret !== false;
    $("review-named").hidden = ballot.secret !== false;
    var countdown = $("ballot-deadline");
    $("ballot-countdown").hidden = !ballot.deadline;
    if (ballot.deadline) {
      countdown.setAttribute("data-deadline", ballot.deadline);
      countdown.setAttribute("data-live-url", liveUrl);
    } else {
      countdown.removeAttribute("data-deadline");
    }
    if (window.VotingCountdown) { window.VotingCountdown.tick(); }
    alertText("");
    var list = $("ballot-items");
    list.textContent = "";
    ballot.items.forEach(function (item) {
      var row = document.createElement("li");
      row.className = "t-item";
      row.setAttribute("data-item", item.id);
      var head = document.createElement("div");
      head.className = "t-item-title";
      head.textContent = item.title;
      row.appendChild(head);
      if (item.description) {
        var more = document.createElement("div");
        more.className = "t-item-desc";
        more.textContent = item.description;
        row.appendChild(more);
      }
      var buttons = document.createElement("div");
      buttons.className = "t-choices";
      ballot.options.forEach(function (option) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "t-choice t-choice-" + option;
        button.setAttribute("data-choice", option);
        button.textContent = label(option);
        button.addEventListener("click", function () { choose(item.id, option); });
        buttons.appendChild(button);
      });
      row.appendChild(buttons);
      list.appendChild(row);
    });
    paintChoices();
  }

  function paintChoices() {
    Array.prototype.forEach.call($("ballot-items").querySelectorAll(".t-item"), function (row) {
      var chosen = record.choices[row.getAttribute("data-item")];
      Array.prototype.forEach.call(row.querySelectorAll(".t-choice"), function (button) {
        var on = button.getAttribute("data-choice") === chosen;
        button.classList.toggle("is-on", on);
        button.setAttribute("aria-pressed", on ? "true" : "false");
      });
    });
    renderCounter();
  }

  function choose(itemId, option) {
    if (record.status !== "choosing") { return; }
    if (record.choices[itemId] === option) {
      delete record.choices[itemId];  // a second tap clears the mark (counted as 弃权)
    } else if (option === "yes" && ballot.seats && record.choices[itemId] !== "yes" && yesCount() >= ballot.seats) {
      alertText("应选 " + ballot.seats + " 项，您已选满 " + ballot.seats + " 项赞成，不能再选。如要改选，请先取消其他项目的赞成。");
      return;
    } else {
      record.choices[itemId] = option;
    }
    alertText("");
    save(ballot.id, record);
    paintChoices();
  }

  // --- review and submit --------------------------------------------------------------------------

  function renderReview() {
    var body = $("review-rows");
    body.textContent = "";
    var tally = {};
    ballot.items.forEach(function (item) {
      var chosen = record.choices[item.id];
      var row = document.createElement("tr");
      var title = document.createElement("td");
      title.textContent = item.title;
      var choice = document.createElement("td");
      choice.className = "t-review-choice t-choice-" + (chosen || "none");
      choice.textContent = chosen ? label(chosen) : "未选（按弃权计）";
      row.appendChild(title);
      row.appendChild(choice);
      body.appendChild(row);
      var key = chosen || "abstain";
      tally[key] = (tally[key] || 0) + 1;
    });
    var parts = [];
    ballot.options.concat(ballot.options.indexOf("abstain") === -1 ? ["abstain"] : []).forEach(function (option) {
      if (tally[option]) { parts.push(label(option) + " " + tally[option] + " 项"); }
    });
    $("review-summary").textContent = "合计：" + parts.join("，") + "。";
  }

  $("to-review").addEventListener("click", function () {
    if (!ballot) { return; }
    renderReview();
    show("review");
  });

  $("back-to-ballot").addEventListener("click", function () { show("ballot"); });

  // Under tellers (docs/BOARD.md) the choices are encrypted to their joint key here, with
  // the proofs; only the encrypted ballot is kept for retries and sent.
  function encryptForTellers() {
    var enc = ballot.encryption;
    if (!enc || enc.mode !== "tellers") { return true; }
    if (!window.BallotCrypto) { return false; }
    var completed = {};
    enc.items.forEach(function (id) { completed[id] = record.choices[id] || "abstain"; });
    var made = window.BallotCrypto.encryptBallot(enc.joint_key, { ballotId: Number(ballot.id), items: enc.items,
                                                                  options: enc.options, limit: enc.limit,
                                                                  encoding: enc.encoding }, completed);
    record.encrypted = made.encrypted;
    record.choices = {};  // the plain choices leave this device's storage too
    return true;
  }

  $("submit-vote").addEventListener("click", function () {
    if (!ballot || record.status !== "choosing") { return; }
    if (!encryptForTellers()) {
      $("review-summary").textContent = "加密组件尚未加载完毕，请稍候再点“确认提交”。";
      return;
    }
    record.status = "sending";
    save(ballot.id, record);
    resume(ballot.id, record);
  });

  function resume(ballotId, stored) {
    sendingBallot = ballotId;
    record = stored;
    show("sending");
    $("sending-text").textContent = "正在提交您的选票，请稍候，不要关闭本页。";
    send(ballotId, stored, 0);
  }

  function send(ballotId, stored, attempt) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, ANSWER_TIMEOUT_MS) : null;
    fetch(voteUrl.replace("BID", ballotId), {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json", "Accept": "application/json",
                 "X-CSRFToken": csrfToken, "Idempotency-Key": stored.key },
      body: JSON.stringify(stored.encrypted ? { encrypted: stored.encrypted } : { choices: stored.choices }),
      signal: controller ? controller.signal : undefined
    }).then(function (response) {
      if (timer) { clearTimeout(timer); }
      return response.json().catch(function () { return {}; }).then(function (data) {
        answered(ballotId, stored, response.status, data, attempt);
      });
    }).catch(function () {
      if (timer) { clearTimeout(timer); }
      retry(ballotId, stored, attempt, "网络中断");
    });
  }

  function retry(ballotId, stored, attempt, why) {
    var delay = Math.min(FIRST_RETRY_MS * Math.pow(2, attempt), MAX_RETRY_MS);
    $("sending-text").textContent = why + "，您的选择已保存在本机，正在自动重试（第 " + (attempt + 1) +
      " 次）… 请不要关闭本页。";
    setTimeout(function () { send(ballotId, stored, attempt + 1); }, delay);
  }

  function answered(ballotId, stored, status, data, attempt) {
    var code = data && data.error ? data.error.code : "";
    if (status === 200 || status === 201) { return finish(ballotId, stored, data.receipt, "ok"); }
    if (status === 409 && code === "already_voted") {
      return finish(ballotId, stored, null, (data.error.message || "").indexOf("纸质选票") !== -1 ? "paper" : "already");
    }
    if (status === 403 && code === "deputy_left") {
      // nothing stored: the choices stay on this device for after re-entry
      stored.status = "choosing";
      save(ballotId, stored);
      sendingBallot = null;
      ballot = null;
      presence = "left";
      return showAway();
    }
    if (status === 409 && code === "ballot_not_open") { return finish(ballotId, stored, null, "closed"); }
    if (status === 403 && code === "not_eligible") { return finish(ballotId, stored, null, "ineligible"); }
    if (status === 401) { return unauthorized(); }
    if (status === 400 && code === "csrf_failed") {
      // the page's token expired: reload (the vote resumes from storage with a fresh token)
      var reloads = Number(window.sessionStorage.getItem("voting.reloads") || "0");
      if (reloads < 3) { window.sessionStorage.setItem("voting.reloads", String(reloads + 1)); window.location.reload(); return; }
    }
    if (status === 422 || status === 400 || status === 404 || status === 403) {
      // refused and nothing stored: back to the ballot with the server's message
      stored.status = "choosing";
      delete stored.encrypted;  // a new submission is encrypted afresh
      save(ballotId, stored);
      sendingBallot = null;
      if (ballot && ballot.id === ballotId) {
        show("ballot");
        paintChoices();
        alertText((data.error && data.error.message) || "提交未成功，请检查后重试。");
      } else {
        show("wait");
        renderWait((data.error && data.error.message) || "提交未成功。");
        considerNext();
      }
      return;
    }
    retry(ballotId, stored, attempt, status === 429 ? "提交过于频繁" : "服务器暂时无法处理");
  }

  function closeRecord(ballotId) {
    settled[ballotId] = "closed";
    save(ballotId, { status: "closed", title: record ? record.title : "" });
  }

  function finish(ballotId, stored, receipt, how) {
    sendingBallot = null;
    settled[ballotId] = (how === "ineligible" || how === "closed" || how === "paper") ? how : "done";
    // the choices leave the device now; only the receipt code stays
    save(ballotId, { status: settled[ballotId], receipt: receipt || null, title: stored.title });
    record = null;
    ballot = null;
    window.sessionStorage.removeItem("voting.reloads");
    var titles = { ok: "投票成功", already: "您已投票", closed: "表决已结束", ineligible: "不能参加本项表决",
                   paper: "您已领取纸质选票" };
    var texts = {
      ok: "您的选票已安全保存。谢谢！",
      already: "您已经对本项表决投过票，不能重复投票。",
      closed: "表决已经结束，这张选票没有被计入。",
      ineligible: "您在本项表决开始时尚未签到，不能参加本项表决。",
      paper: "您已领取纸质选票，请在纸质选票上填写并投入票箱；平板上的这张选票没有提交。"
    };
    $("done-title").textContent = titles[how];
    $("done-text").textContent = texts[how];
    $("receipt-box").hidden = !receipt;
    if (receipt) {
      $("receipt-code").textContent = receipt;
      showReceiptQr(receipt, ballotId);
    }
    var waiting = nextOpenBallot();
    $("done-next").textContent = waiting ? "进入新的表决：" + waiting.title : "完成";
    show("done");
  }

  function showReceiptQr(receipt, ballotId) {
    var image = $("receipt-qr");
    image.removeAttribute("src");
    // fetched without cookies: the QR request carries nothing that names the deputy;
    // the QR holds the address of the public receipt check page for this code
    fetch(qrUrl + "?code=" + encodeURIComponent(receipt) + "&ballot=" + encodeURIComponent(ballotId),
          { credentials: "omit", cache: "no-store" })
      .then(function (response) { if (!response.ok) { throw new Error("HTTP " + response.status); } return response.blob(); })
      .then(function (blob) { image.src = URL.createObjectURL(blob); })
      .catch(function () { image.alt = "二维码暂时无法显示，请抄下回执码"; });
  }

  $("done-next").addEventListener("click", function () {
    show("wait");
    renderWait();
    considerNext();
  });

  // --- leaving the hall (签退) and coming back -----------------------------------------------

  function setPresence(value) {
    presence = value;
    var badge = $("presence-badge");
    badge.textContent = { present: "已签到", left: "已签退", leave: "请假" }[value] || "未签到";
    badge.className = "badge " + (value === "present" ? "badge-ok" : "badge-warn");
    $("sign-out").hidden = value !== "present";
  }

  function showAway() {
    setPresence(presence);
    $("away-title").textContent = presence === "leave" ? "您已请假" : "您已签退";
    show("away");
  }

  function postJson(url) {
    return fetch(url, { method: "POST", credentials: "same-origin", cache: "no-store",
                        headers: { "Content-Type": "application/json", "Accept": "application/json",
                                   "X-CSRFToken": csrfToken }, body: "{}" })
      .then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (data) {
          return { status: response.status, data: data };
        });
      });
  }

  $("sign-out").addEventListener("click", function () {
    if (!window.confirm("确定签退离场吗？签退后实到人数减少，回到会场后需要重新签到才能投票。")) { return; }
    postJson(signoutUrl).then(function (answer) {
      var code = answer.data && answer.data.error ? answer.data.error.code : "";
      if (answer.status === 200 || code === "not_present") { presence = "left"; showAway(); return; }
      if (answer.status === 401) { unauthorized(); return; }
      window.alert((answer.data.error && answer.data.error.message) || "签退未成功，请重试或联系工作人员。");
    }).catch(function () { window.alert("网络不稳定，签退未成功，请稍后重试。"); });
  });

  $("sign-in-again").addEventListener("click", function () {
    postJson(checkinUrl).then(function (answer) {
      if (answer.status === 200) {
        setPresence("present");
        show("wait");
        renderWait();
        considerNext();
        return;
      }
      if (answer.status === 401) { unauthorized(); return; }
      $("away-text").textContent = (answer.data.error && answer.data.error.message) || "签到未成功，请重试或联系工作人员。";
    }).catch(function () { $("away-text").textContent = "网络不稳定，签到未成功，请稍后重试。"; });
  });

  function unauthorized() {
    $("ended-title").textContent = "登录已失效";
    $("ended-text").textContent = "请重新扫描您的登录卡。已选择但尚未确认送达的选票保存在本机，重新登录后会自动继续提交。";
    show("ended");
  }

  // --- start -------------------------------------------------------------------------------------

  storedRecords().forEach(function (r) {
    if (["done", "closed", "ineligible", "paper"].indexOf(r.record.status) !== -1) {
      settled[r.id] = r.record.status;
    }
  });
  var pending = storedRecords().filter(function (r) { return r.record.status === "sending" && r.record.key; })[0];
  if (pending) { resume(pending.id, pending.record); } else if (presence !== "present") { showAway(); } else { renderWait(); }

  // Reloaded while the hall's Wi-Fi is down (the page itself came from the service
  // worker, static/js/tablet-sw.js): the meeting as last seen brings the open ballot back.
  function lastSeen() {
    try { return JSON.parse(window.localStorage.getItem(SNAPSHOT_STORE)); } catch (e) { return null; }
  }

  window.VotingLive.subscribe(meetingId, null, onSnapshot, function (state) {
    window.VotingLive.showLink(state);
    if ((state === "reconnecting" || state === "offline") && snapshot === null) {
      var seen = lastSeen();
      if (seen && seen.meeting) { onSnapshot(seen); }
    }
    if (state === "unauthorized" && !sendingBallot) { unauthorized(); }
  });
})();
