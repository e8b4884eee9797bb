"""The verifiable secret ballot's costs (issue #17):

- the tablet: encrypting and proving a 25-item, 20-seat ballot in Chromium
  (static/js/ballot-crypto.js on @noble/curves), median of 5;
- the server: checking a device cast's proofs, and encrypting and proving a plain API
  cast (voting/crypto through libsodium), median of 20, in process;
- close and count: a ballot of 25 items under a 2-of-3 tellers' key with 650 and 3,000
  casts stored (real ElGamal ciphertexts; their proofs are not what close reads), the
  close (the encrypted sums) and the k-th teller's share to the signed sheet, timed at
  the server (the teller's own computing is on its device).

    python -m bench --only tellers [--db sqlite,postgres]
"""
import json
import secrets
import statistics
import tempfile
import time
from pathlib import Path

from bench.collection import _database

ITEMS, SEATS = 25, 20
SIZES = (650, 3000)
PASSWORD = "bench-password"


def _choices(items, index):
    return {item: ("yes" if n < SEATS and (n + index) % 7 else "no") for n, item in enumerate(items)}


def server_costs() -> dict:
    from voting.crypto import dkg
    from voting.crypto.ballot import PACKED, Shape, encrypt_ballot, verify_ballot

    key = dkg.joint_key([dkg.commitments(dkg.new_polynomial(2)) for _ in range(3)])
    shape = Shape(1, tuple(str(i) for i in range(1, ITEMS + 1)), ("yes", "no", "abstain"), "yes", SEATS, PACKED)
    encrypt_ms, verify_ms = [], []
    for index in range(20):
        start = time.perf_counter()
        encrypted = encrypt_ballot(key, shape, _choices(shape.item_ids, index))
        encrypt_ms.append((time.perf_counter() - start) * 1000)
        start = time.perf_counter()
        verify_ballot(key, shape, encrypted)
        verify_ms.append((time.perf_counter() - start) * 1000)
    size = len(json.dumps(encrypted))
    return {"encrypt_and_prove_ms": round(statistics.median(encrypt_ms), 1),
            "verify_ms": round(statistics.median(verify_ms), 1), "cast_bytes": size}


def browser_encrypt_ms() -> dict:
    """Chromium encrypting and proving the 25-item, 20-seat ballot, on a page of the app."""
    import threading

    from playwright.sync_api import sync_playwright
    from werkzeug.serving import make_server

    from voting import create_app
    from voting.crypto import dkg

    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.sqlite", "KEY_DIR": folder,
                          "SECRET_KEY": "bench", "UPLOAD_DIR": folder})
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        key = dkg.joint_key([dkg.commitments(dkg.new_polynomial(2)) for _ in range(3)]).hex()
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                                     args=["--no-sandbox"])
                page = browser.new_page()
                page.goto(f"http://127.0.0.1:{server.server_port}/healthz")
                page.add_script_tag(url="/static/js/ballot-crypto.js", type="module")
                page.wait_for_function("() => window.BallotCrypto !== undefined")
                times = page.evaluate("""([key, items, seats]) => {
                  const ids = Array.from({length: items}, (_, i) => String(i + 1));
                  const choices = {}; ids.forEach((id, n) => { choices[id] = n < seats ? "yes" : "no"; });
                  const shape = {ballotId: 1, items: ids, options: ["yes", "no", "abstain"],
                                 limit: {option: "yes", at_most: seats}};
                  const out = [];
                  for (let run = 0; run < 5; run++) {
                    const start = performance.now();
                    window.BallotCrypto.encryptBallot(key, shape, choices);
                    out.push(performance.now() - start);
                  }
                  return out;
                }""", [key, ITEMS, SEATS])
                browser.close()
        finally:
            server.shutdown()
            thread.join(timeout=10)
    return {"median_ms": round(statistics.median(times), 1), "runs_ms": [round(t, 1) for t in times]}


def close_and_count(kind: str, size: int) -> dict:
    from sqlalchemy import insert

    from voting import create_app
    from voting.accounts.models import Body
    from voting.accounts.services import create_or_update_user
    from voting.ballots.models import CastBallot
    from voting.crypto import group
    from voting.extensions import db
    from voting.teller import TellerDevice
    from voting.tellers.tally import shape_of
    from voting.ballots.models import Ballot

    with tempfile.TemporaryDirectory() as folder:
        url, drop = _database(kind, Path(folder)) if kind == "postgres" else (f"sqlite:///{folder}/t.sqlite", None)
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": folder, "SECRET_KEY": "bench",
                          "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "UPLOAD_DIR": folder})
        try:
            with app.app_context():
                db.create_all()
                body = Body(name="基准县人大常委会", level="county")
                db.session.add(body)
                db.session.commit()
                create_or_update_user("secretariat", "secretariat", PASSWORD, body=body)
                ids = [create_or_update_user(f"teller{i}", "teller", PASSWORD, body=body)[0].id for i in (1, 2, 3)]
                db.session.commit()
                client = app.test_client()

                def token(name):
                    return client.post("/api/v1/auth/token", json={"username": name, "password": PASSWORD}).get_json()["token"]

                def call(tok, method, path, body=None):
                    r = client.open("/api/v1" + path, method=method, json=body, headers={"Authorization": f"Bearer {tok}"})
                    return r.status_code, r.get_json()

                staff = token("secretariat")
                _, meeting = call(staff, "POST", "/meetings", {"name": "基准会议"})
                mid = meeting["id"]
                call(staff, "POST", f"/meetings/{mid}/deputies", {"deputies": [
                    {"name": f"代表{i}", "delegation": "", "number": str(i)} for i in range(size)]})
                call(staff, "POST", f"/meetings/{mid}/tellers", {"tellers": [str(i) for i in ids], "threshold": 2})
                devices = [TellerDevice(lambda m, p, b=None, t=token(f"teller{i}"): call(t, m, p, b), {}) for i in (1, 2, 3)]
                for step in ("join", "deal", "confirm"):
                    for device in devices:
                        getattr(device, step)(*([mid] if step == "join" else []))
                from voting.meetings.models import Attendance, Deputy  # the roster checked in at once
                deputies = db.session.query(Deputy.id).filter(Deputy.meeting_id == int(mid)).all()
                db.session.execute(insert(Attendance), [{"meeting_id": int(mid), "deputy_id": d} for (d,) in deputies])
                db.session.commit()
                _, ballot = call(staff, "POST", f"/meetings/{mid}/ballots", {
                    "kind": "selection", "title": "基准票决", "seats": SEATS,
                    "items": [{"title": f"项目{i}"} for i in range(1, ITEMS + 1)]})
                bid = ballot["id"]
                status, opened = call(staff, "POST", f"/ballots/{bid}/open")
                assert status == 200, opened
                row = db.session.get(Ballot, int(bid))
                shape, key = shape_of(row), row.teller_key
                rows = []
                for index in range(size):
                    tracker, encrypted = _stored_cast(key, shape, _choices(shape.item_ids, index))
                    rows.append({"id": secrets.token_hex(16), "ballot_id": int(bid), "channel": "tablet",
                                 "invalid": False, "origin": "server", "proof_check": "valid",  # as checked
                                 "tracker": tracker, "sealed": json.dumps(encrypted, separators=(",", ":")).encode()})
                db.session.execute(insert(CastBallot), rows)
                db.session.commit()
                start = time.perf_counter()
                status, _closed = call(staff, "POST", f"/ballots/{bid}/close")
                close_s = time.perf_counter() - start
                assert status == 200, _closed
                devices[0].decrypt(bid)
                sums = devices[2].call("GET", f"/ballots/{bid}/sums", None)[1]
                from voting.crypto import elgamal
                from voting.crypto.elgamal import Ciphertext
                secret = group.scalar_from_hex(devices[2].state["share"])
                shares = [[elgamal.decryption_share(secret, f"ballot:{bid}|item:{item}|option:{column}|teller:3",
                                                    Ciphertext.from_json(c)) for column, c in zip(sums["columns"], r)]
                          for item, r in zip(sums["items"], sums["sums"])]
                start = time.perf_counter()
                status, answer = devices[2].call("POST", f"/ballots/{bid}/decryption", {"shares": shares})
                count_s = time.perf_counter() - start
                assert status == 200 and answer["counted"], answer
                from voting.tellers.models import EncryptedTally

                assert db.session.get(EncryptedTally, int(bid)).accepted == size, "the sums must hold every cast"
                db.session.remove()
                db.engine.dispose()
        finally:
            if drop:
                drop()
    return {"casts": size, "close_s": round(close_s, 2), "kth_share_to_sheet_s": round(count_s, 2)}


def _stored_cast(key: bytes, shape, marks: dict) -> tuple[str, dict]:
    """(tracker, cast) as a checked cast is stored, its ciphertexts real and its proofs
    left out (close reads the ciphertexts only; the proofs' cost is measured above)."""
    from voting.crypto.ballot import cast_digest, count_bits, tracker_of
    from voting.crypto.elgamal import encrypt

    if shape.packed:
        cells = [[encrypt(key, shape.values[marks[item]])[0]] for item in shape.item_ids]
        bits = [encrypt(key, 0)[0] for _ in range(count_bits(shape))]
        encrypted = {"items": [{"id": item, **cells[i][0].to_json(), "proof": []}
                               for i, item in enumerate(shape.item_ids)],
                     "limit": {"bits": [{**bit.to_json(), "proof": []} for bit in bits], "within": []}}
        return tracker_of(cast_digest(shape, cells, bits)), encrypted
    cells = [[encrypt(key, 1 if marks[item] == option else 0)[0] for option in shape.options] for item in shape.item_ids]
    encrypted = {"items": [{"id": item, "choices": [{**c.to_json(), "proof": []} for c in cells[i]], "proof": []}
                           for i, item in enumerate(shape.item_ids)], "limit": []}
    return tracker_of(cast_digest(shape, cells)), encrypted


def tellers_run(kind: str) -> tuple[dict, list]:
    figures = {"scenario": "tellers", "db": kind, "server": server_costs(),
               "close": [close_and_count(kind, size) for size in SIZES]}
    targets = []
    if kind == "sqlite":
        figures["browser"] = browser_encrypt_ms()
        targets.append(("tellers: tablet encrypts and proves 25 items / 20 seats in Chromium ≤ 1 s",
                        figures["browser"]["median_ms"] <= 1000, f"{figures['browser']['median_ms']} ms"))
    for run, limit in zip(figures["close"], (10, 30)):
        total = run["close_s"] + run["kth_share_to_sheet_s"]
        targets.append((f"tellers {kind}: close and k-th share to signed sheet, {run['casts']} × 25 ≤ {limit} s",
                        run["kth_share_to_sheet_s"] <= limit, f"close {run['close_s']} s, k-th share → sheet "
                        f"{run['kth_share_to_sheet_s']} s (total {round(total, 2)} s)"))
    return figures, targets


if __name__ == "__main__":
    import sys

    for db_kind in (sys.argv[1:] or ["sqlite"]):
        print(json.dumps(tellers_run(db_kind), ensure_ascii=False, indent=1))
