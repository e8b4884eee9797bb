// The tellers' cryptography in the browser (docs/BOARD.md): the same encodings, hashes
// and proofs as voting/crypto in Python, over @noble/curves' ristretto255 (vendored,
// audited); SHA-256/512 from @noble/hashes. No curve arithmetic of our own: only
// calls into noble's Point. Exposed as an ES module and as window.BallotCrypto.
import { ristretto255 } from "../vendor/noble-curves/ed25519.js";
import { sha256, sha512 } from "../vendor/noble-hashes/sha2.js";

const Point = ristretto255.Point;
const L = 2n ** 252n + 27742317777372353535851937790883648493n;
const DOMAIN = new TextEncoder().encode("minsheng-voting/board/v1");
const G = Point.BASE;

const mod = (k) => ((k % L) + L) % L;
const utf8 = (text) => new TextEncoder().encode(text);
const hex = (bytes) => Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (text) => Uint8Array.from(text.match(/../g) || [], (h) => parseInt(h, 16));

function scalarBytes(k) {
  const out = new Uint8Array(32);
  let v = mod(k);
  for (let i = 0; i < 32; i++) { out[i] = Number(v & 255n); v >>= 8n; }
  return out;
}
const scalarHex = (k) => hex(scalarBytes(k));
function scalarFromHex(text) {
  const bytes = unhex(text);
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) { v = (v << 8n) | BigInt(bytes[i]); }
  if (bytes.length !== 32 || v >= L) { throw new Error("标量编码不符"); }
  return v;
}
function leInt(bytes) {
  let v = 0n;
  for (let i = bytes.length - 1; i >= 0; i--) { v = (v << 8n) | BigInt(bytes[i]); }
  return v;
}
function randomScalar() {
  const bytes = new Uint8Array(64);
  crypto.getRandomValues(bytes);
  return mod(leInt(bytes)) || 1n;
}
const mul = (k, point) => { k = mod(k); return k === 0n ? Point.ZERO : point.multiply(k); };
const baseMul = (k) => mul(k, G);
const pointBytes = (p) => p.toBytes();
const pointFromHex = (text) => Point.fromHex(text);
const intPart = (n) => { const out = new Uint8Array(8); new DataView(out.buffer).setBigUint64(0, BigInt(n)); return out; };

function hashToScalar(tag, parts) {
  const pieces = [DOMAIN, utf8(tag), ...parts];
  let size = 0;
  pieces.forEach((p) => { size += 4 + p.length; });
  const all = new Uint8Array(size);
  let at = 0;
  pieces.forEach((p) => { new DataView(all.buffer).setUint32(at, p.length); all.set(p, at + 4); at += 4 + p.length; });
  return mod(leInt(sha512(all)));
}

// --- exponential ElGamal and range proofs (voting/crypto/elgamal.py) -------------------
function encrypt(key, m) {
  const r = randomScalar();
  return { a: baseMul(r), b: baseMul(BigInt(m)).add(mul(r, key)), r };
}
const product = (cs) => cs.reduce((acc, c) => ({ a: acc.a.add(c.a), b: acc.b.add(c.b) }), { a: Point.ZERO, b: Point.ZERO });

function rangeHash(key, context, c, lo, hi, commitments) {
  const parts = [pointBytes(key), utf8(context), pointBytes(c.a), pointBytes(c.b), intPart(lo), intPart(hi)];
  commitments.forEach(([aj, bj]) => { parts.push(pointBytes(aj), pointBytes(bj)); });
  return hashToScalar("range", parts);
}
function simulated(key, c, j, cj, vj) {
  return [baseMul(vj).subtract(mul(cj, c.a)), mul(vj, key).subtract(mul(cj, c.b.subtract(baseMul(BigInt(j)))))];
}
function setHash(key, context, c, values, commitments) {
  const parts = [pointBytes(key), utf8(context), pointBytes(c.a), pointBytes(c.b), intPart(values.length)];
  values.forEach((v) => { parts.push(intPart(v)); });
  commitments.forEach(([aj, bj]) => { parts.push(pointBytes(aj), pointBytes(bj)); });
  return hashToScalar("set", parts);
}
// One Chaum-Pedersen branch per value, all but m's simulated; the challenges sum to
// challenge(commitments) (voting/crypto/elgamal.py _prove_one_of).
function proveOneOf(key, c, r, m, values, challenge) {
  const branches = new Map();
  const commitments = [];
  const u = randomScalar();
  values.forEach((j) => {
    if (j === m) { commitments.push([baseMul(u), mul(u, key)]); return; }
    const cj = randomScalar(); const vj = randomScalar();
    branches.set(j, [cj, vj]);
    commitments.push(simulated(key, c, j, cj, vj));
  });
  const total = challenge(commitments);
  let others = 0n;
  branches.forEach(([cj]) => { others += cj; });
  const cm = mod(total - others);
  branches.set(m, [cm, mod(u + cm * r)]);
  return values.map((j) => [scalarHex(branches.get(j)[0]), scalarHex(branches.get(j)[1])]);
}
function proveRange(key, context, c, r, m, lo, hi) {
  const values = [];
  for (let j = lo; j <= hi; j++) { values.push(j); }
  return proveOneOf(key, c, r, m, values, (commitments) => rangeHash(key, context, c, lo, hi, commitments));
}
function proveSet(key, context, c, r, m, values) {
  return proveOneOf(key, c, r, m, values, (commitments) => setHash(key, context, c, values, commitments));
}

// --- an encrypted ballot (voting/crypto/ballot.py) ---------------------------------------
function castDigest(ballotId, rows, bits) {
  const chunks = [utf8("cast"), intPart(ballotId)];
  [...rows, bits || []].forEach((row) => row.forEach((c) => { chunks.push(pointBytes(c.a), pointBytes(c.b)); }));
  let size = 0; chunks.forEach((c) => { size += c.length; });
  const all = new Uint8Array(size); let at = 0;
  chunks.forEach((c) => { all.set(c, at); at += c.length; });
  return sha256(all);
}
function trackerOf(digest) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0; let value = 0; let code = "";
  for (const byte of digest) {
    value = (value << 8) | byte; bits += 8;
    while (bits >= 5 && code.length < 16) { code += alphabet[(value >>> (bits - 5)) & 31]; bits -= 5; }
    if (code.length >= 16) { break; }
  }
  return code.match(/.{4}/g).join("-");
}

// A packed cast (voting/crypto/ballot.py _encrypt_packed): one ciphertext per item of
// its option's value (encoding.values: first option 1, second B, abstain 0), proved one
// of them; on a selection, the other option's count in bits (each proved 0 or 2^i,
// R their product), and the limited count (T − w_other·R)·w⁻¹ proved in 0..at_most.
function encryptPacked(key, shape, choices) {
  const values = shape.encoding.values;
  const order = shape.options.map((option) => values[option]);
  const made = shape.items.map((item) => { const m = values[choices[item]]; return { m, c: encrypt(key, BigInt(m)) }; });
  let bits = []; let otherOption = null; let otherCount = 0;
  if (shape.limit) {
    otherOption = shape.options.find((option) => option !== shape.limit.option && option !== "abstain");
    otherCount = shape.items.filter((item) => choices[item] === otherOption).length;
    const width = Math.max(1, shape.items.length.toString(2).length);
    for (let i = 0; i < width; i++) { bits.push(encrypt(key, BigInt(otherCount & (1 << i)))); }
  }
  const digest = castDigest(shape.ballotId, made.map(({ c }) => [c]), bits);
  const where = (w) => "ballot:" + shape.ballotId + "|cast:" + hex(digest) + "|" + w;
  const items = shape.items.map((item, i) => {
    const { m, c } = made[i];
    return { id: item, a: hex(pointBytes(c.a)), b: hex(pointBytes(c.b)),
             proof: proveSet(key, where("item:" + item + "|packed"), c, c.r, m, order) };
  });
  const encrypted = { items: items };
  if (bits.length) {
    const limited = shape.limit.option;
    const count = shape.items.filter((item) => choices[item] === limited).length;
    const rTotal = made.reduce((acc, { c }) => acc + c.r, 0n);
    const rOther = bits.reduce((acc, bit) => acc + bit.r, 0n);
    const inverse = modInverse(BigInt(values[limited]));
    const rWithin = mod((rTotal - BigInt(values[otherOption]) * rOther) * inverse);
    const within = { a: baseMul(rWithin), b: baseMul(BigInt(count)).add(mul(rWithin, key)) };
    encrypted.limit = {
      bits: bits.map((bit, i) => ({ a: hex(pointBytes(bit.a)), b: hex(pointBytes(bit.b)),
                                    proof: proveSet(key, where("limit:" + limited + "|other:" + i), bit, bit.r,
                                                    otherCount & (1 << i), [0, 1 << i]) })),
      within: proveRange(key, where("limit:" + limited), within, rWithin, count, 0, shape.limit.at_most) };
  }
  return { encrypted: encrypted, tracker: trackerOf(digest) };
}
function modInverse(k) {  // k^(L−2) mod L (L is prime): scalar arithmetic, not curve arithmetic
  let result = 1n; let base = mod(k); let e = L - 2n;
  while (e > 0n) { if (e & 1n) { result = (result * base) % L; } base = (base * base) % L; e >>= 1n; }
  return result;
}

// shape: {ballotId, items: [ids], options: [..], limit: {option, at_most} | null,
// encoding: {kind: "one-hot"} | {kind: "packed", base, values}}; choices: item → option
function encryptBallot(jointKeyHex, shape, choices) {
  const key = pointFromHex(jointKeyHex);
  if (shape.encoding && shape.encoding.kind === "packed") { return encryptPacked(key, shape, choices); }
  const rows = []; const secrets = [];
  shape.items.forEach((item) => {
    const row = []; const kept = [];
    shape.options.forEach((option) => {
      const mark = choices[item] === option ? 1 : 0;
      const c = encrypt(key, mark);
      row.push(c); kept.push([c.r, mark]);
    });
    rows.push(row); secrets.push(kept);
  });
  const digest = castDigest(shape.ballotId, rows);
  const where = (w) => "ballot:" + shape.ballotId + "|cast:" + hex(digest) + "|" + w;
  const items = shape.items.map((item, i) => {
    const entries = shape.options.map((option, j) => {
      const [r, mark] = secrets[i][j];
      const c = rows[i][j];
      return { a: hex(pointBytes(c.a)), b: hex(pointBytes(c.b)),
               proof: proveRange(key, where("item:" + item + "|option:" + option), c, r, mark, 0, 1) };
    });
    const rSum = mod(secrets[i].reduce((acc, [r]) => acc + r, 0n));
    return { id: item, choices: entries, proof: proveRange(key, where("item:" + item + "|one"), product(rows[i]), rSum, 1, 1, 1) };
  });
  const encrypted = { items: items };
  if (shape.limit) {
    const col = shape.options.indexOf(shape.limit.option);
    const marked = secrets.reduce((acc, kept) => acc + kept[col][1], 0);
    const rSum = mod(secrets.reduce((acc, kept) => acc + kept[col][0], 0n));
    encrypted.limit = proveRange(key, where("limit:" + shape.limit.option), product(rows.map((row) => row[col])),
                                 rSum, marked, 0, shape.limit.at_most);
  }
  return { encrypted: encrypted, tracker: trackerOf(digest) };
}

// --- the tellers (voting/crypto/dkg.py, transport.py, elgamal.py decryption) -------------
function evaluate(coefficients, position) {
  let result = 0n;
  for (let i = coefficients.length - 1; i >= 0; i--) { result = mod(result * BigInt(position) + coefficients[i]); }
  return result;
}
const ceremonyContext = (meetingId, position) => "meeting:" + meetingId + "|teller:" + position;
function proveKnowledge(context, secret) {
  const u = randomScalar();
  const c = hashToScalar("key-pok", [utf8(context), pointBytes(baseMul(secret)), pointBytes(baseMul(u))]);
  return [scalarHex(c), scalarHex(mod(u + c * secret))];
}
function checkKnowledge(context, commitment, proof) {
  const c = scalarFromHex(proof[0]); const v = scalarFromHex(proof[1]);
  const nonce = baseMul(v).subtract(mul(c, commitment));
  return hashToScalar("key-pok", [utf8(context), pointBytes(commitment), pointBytes(nonce)]) === c;
}
function committedValue(commitments, position) {
  let total = Point.ZERO; let power = 1n;
  commitments.forEach((c) => { total = total.add(mul(power, c)); power = mod(power * BigInt(position)); });
  return total;
}
const associatedData = (meetingId, from, to) => utf8("meeting:" + meetingId + "|from:" + from + "|to:" + to);
async function aesKey(ephemeral, recipient, shared) {
  const material = new Uint8Array(10 + 96);
  material.set(utf8("share-seal"), 0); material.set(pointBytes(ephemeral), 10);
  material.set(pointBytes(recipient), 42); material.set(pointBytes(shared), 74);
  return crypto.subtle.importKey("raw", sha256(material), "AES-GCM", false, ["encrypt", "decrypt"]);
}
async function sealShare(recipient, share, aad) {
  const e = randomScalar(); const ephemeral = baseMul(e);
  const key = await aesKey(ephemeral, recipient, mul(e, recipient));
  const sealed = new Uint8Array(await crypto.subtle.encrypt({ name: "AES-GCM", iv: new Uint8Array(12), additionalData: aad },
                                                            key, scalarBytes(share)));
  return hex(pointBytes(ephemeral)) + hex(sealed);
}
async function openShare(secret, sealedHex, aad) {
  const raw = unhex(sealedHex);
  const ephemeral = Point.fromBytes(raw.slice(0, 32));
  const key = await aesKey(ephemeral, baseMul(secret), mul(secret, ephemeral));
  const plain = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: new Uint8Array(12), additionalData: aad },
                                                           key, raw.slice(32)));
  return scalarFromHex(hex(plain));
}
function decryptionShare(secret, context, ciphertext) {
  const a = pointFromHex(ciphertext.a);
  const vk = baseMul(secret); const d = mul(secret, a); const u = randomScalar();
  const c = hashToScalar("decrypt", [pointBytes(vk), utf8(context), pointBytes(a), pointBytes(d),
                                     pointBytes(baseMul(u)), pointBytes(mul(u, a))]);
  return { d: hex(pointBytes(d)), proof: [scalarHex(c), scalarHex(mod(u + c * secret))] };
}

const BallotCrypto = {
  L, randomScalar, scalarHex, scalarFromHex, baseMul, mul, pointFromHex, hex,
  encryptBallot, trackerOf, evaluate, ceremonyContext, proveKnowledge, checkKnowledge, committedValue,
  associatedData, sealShare, openShare, decryptionShare,
  pointHex: (p) => hex(pointBytes(p)),
};
window.BallotCrypto = BallotCrypto;
window.dispatchEvent(new Event("ballot-crypto-ready"));
export default BallotCrypto;
