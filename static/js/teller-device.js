// A teller's browser as its device (docs/BOARD.md, "Tellers"): the transport key and the
// share of the meeting's key live in this browser's localStorage only, never on the
// server. Steps: join (transport key), deal (commitments + a sealed share for each
// teller), confirm (open and check the shares dealt to this teller, keep their sum),
// and decrypt the sums of a closed ballot with proofs.
import BallotCrypto from "./ballot-crypto.js";
import qrcode from "../vendor/qrcode-generator/qrcode.mjs";

const C = BallotCrypto;
const root = document.getElementById("device");
const meetingId = root.dataset.meeting;
const position = Number(root.dataset.position);
const csrf = root.dataset.csrf;
const apiUrl = root.dataset.api;
const storeKey = "voting.teller." + meetingId + "." + root.dataset.user;
const $ = (id) => document.getElementById(id);

const load = () => JSON.parse(window.localStorage.getItem(storeKey) || "{}");
const save = (state) => window.localStorage.setItem(storeKey, JSON.stringify(state));

async function call(method, url, body) {
  const response = await fetch(url, {
    method, credentials: "same-origin", cache: "no-store",
    headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await response.json().catch(() => ({}));
  if (!response.ok) { throw new Error((data.error && data.error.message) || ("请求失败：" + response.status)); }
  return data;
}

let notice = "";  // the last step's outcome: kept on screen until the next step
function say(text) { $("device-status").textContent = notice || text; }

async function refresh() {
  const data = await call("GET", apiUrl);
  const state = load();
  const me = data.tellers.find((t) => t.position === position);
  $("join").disabled = Boolean(me.transport_key && state.transport_secret);
  $("deal").disabled = !data.tellers.every((t) => t.transport_key) || Boolean(me.commitments);
  $("confirm").disabled = !data.tellers.every((t) => t.commitments) || me.confirmed;
  $("backup").disabled = $("print-backup").disabled = !state.share;
  if (data.stage === "complete") {
    say(state.share ? "密钥已生成，本机保存着第 " + position + " 号份额。" : "密钥已生成，但本机没有份额：请从备份恢复。");
  } else if (me.confirmed) {
    say("本机已确认，等待其他监票人。");
  } else {
    say(data.stage_text);
  }
  root.dataset.stage = data.stage;
  await listAwaiting();
  return data;
}

async function listAwaiting() {
  const list = await call("GET", root.dataset.ballots);
  const waiting = list.ballots.filter((b) => b.awaiting_tellers);
  const ul = $("awaiting");
  ul.textContent = "";
  if (!waiting.length) { const li = document.createElement("li"); li.textContent = "暂无"; ul.appendChild(li); return; }
  waiting.forEach((ballot) => {
    const li = document.createElement("li");
    const button = document.createElement("button");
    button.className = "btn"; button.type = "button"; button.dataset.ballot = ballot.id;
    button.textContent = "解密“" + ballot.title + "”的合计";
    button.addEventListener("click", () => run(() => decrypt(ballot.id)));
    li.appendChild(button);
    ul.appendChild(li);
  });
}

async function join() {
  const state = load();
  state.meeting_id = meetingId; state.position = position;
  state.transport_secret = C.scalarHex(C.randomScalar());
  save(state);
  await call("POST", apiUrl + "/transport-key", { key: C.pointHex(C.baseMul(C.scalarFromHex(state.transport_secret))) });
}

async function deal() {
  const data = await call("GET", apiUrl);
  const coefficients = Array.from({ length: data.threshold }, () => C.randomScalar());
  const shares = {};
  for (const seat of data.tellers) {
    shares[String(seat.position)] = await C.sealShare(C.pointFromHex(seat.transport_key),
      C.evaluate(coefficients, seat.position), C.associatedData(meetingId, position, seat.position));
  }
  await call("POST", apiUrl + "/dealing", {
    commitments: coefficients.map((a) => C.pointHex(C.baseMul(a))),
    knowledge_proof: C.proveKnowledge(C.ceremonyContext(meetingId, position), coefficients[0]),
    shares,
  });
}

async function confirmShares() {
  const data = await call("GET", apiUrl);
  const state = load();
  if (!state.transport_secret) { throw new Error("本机没有传输私钥：请在登记本机的同一浏览器上操作。"); }
  const secret = C.scalarFromHex(state.transport_secret);
  let total = 0n;
  for (const seat of data.tellers) {
    const commitments = seat.commitments.map(C.pointFromHex);
    if (!C.checkKnowledge(C.ceremonyContext(meetingId, seat.position), commitments[0], seat.knowledge_proof)) {
      throw new Error("第 " + seat.position + " 号监票人的知识证明不成立");
    }
    const share = await C.openShare(secret, seat.shares[String(position)],
                                    C.associatedData(meetingId, seat.position, position));
    if (!C.baseMul(share).equals(C.committedValue(commitments, position))) {
      throw new Error("第 " + seat.position + " 号监票人分发的份额与其承诺值不符，请不要确认，并告知秘书处。");
    }
    total = (total + share) % C.L;
  }
  state.share = C.scalarHex(total);
  save(state);
  await call("POST", apiUrl + "/confirm", {});
}

async function decrypt(ballotId) {
  const state = load();
  if (!state.share) { throw new Error("本机没有密钥份额：请先从备份恢复。"); }
  const secret = C.scalarFromHex(state.share);
  const sums = await call("GET", "/api/v1/ballots/" + ballotId + "/sums");
  const shares = sums.items.map((item, i) => sums.columns.map((column, j) =>
    C.decryptionShare(secret, "ballot:" + ballotId + "|item:" + item + "|option:" + column + "|teller:" + position,
                      sums.sums[i][j])));
  const result = await call("POST", "/api/v1/ballots/" + ballotId + "/decryption", { shares });
  return result.counted ? "解密完成，计票单已生成。" : "已提交本机的解密份额（共 " + result.given + " 位监票人）。";
}

function backupText() {
  const state = load();
  return JSON.stringify({ meeting_id: meetingId, position, share: state.share }, null, 1);
}

async function run(step) {
  try {
    notice = (await step()) || "";
    await refresh();
  } catch (error) {
    notice = "未完成：" + error.message;
    say(notice);
  }
}

$("join").addEventListener("click", () => run(join));
$("deal").addEventListener("click", () => run(deal));
$("confirm").addEventListener("click", () => run(confirmShares));
$("backup").addEventListener("click", () => {
  const link = document.createElement("a");
  link.href = URL.createObjectURL(new Blob([backupText()], { type: "application/json" }));
  link.download = "监票人" + position + "-会议" + meetingId + "-份额备份.json";
  link.click();
});
$("print-backup").addEventListener("click", () => {
  $("backup-text").hidden = false;
  $("backup-text").textContent = "第 " + position + " 号监票人密钥份额（会议 " + meetingId + "），请封存：\n" + backupText();
  const code = qrcode(0, "M");  // drawn here: the share never leaves this browser
  code.addData(JSON.stringify(JSON.parse(backupText())));
  code.make();
  $("backup-qr").src = code.createDataURL(4, 4);
  $("backup-qr").hidden = false;
  window.print();
});
$("restore").addEventListener("change", (event) => {
  const file = event.target.files[0];
  if (!file) { return; }
  file.text().then((text) => {
    const backup = JSON.parse(text);
    if (String(backup.meeting_id) !== meetingId || backup.position !== position) { throw new Error("备份不是本会议本监票人的"); }
    const state = load(); state.share = backup.share; save(state);
    return refresh();
  }).catch((error) => say("恢复失败：" + error.message));
});

run(async () => {});
setInterval(() => { refresh().catch(() => {}); }, 3000);
