"""Regenerate docs/board-example.json: the public board of a real run (docs/BOARD.md).

    .venv/bin/python tools/board_example.py docs/board-example.json

A fresh SQLite database and key folder in a temporary directory; three tellers (2 of 3)
make the key on their devices (voting.teller.TellerDevice); a 25-item, 20-seat
selection ballot; 12 deputies vote on tablets (encrypted on the device, as the tablet
does), 3 through the plain API (encrypted by the server), one forged cast (an item
with its proof taken from another cast) is rejected, 2 paper ballots are entered by a teller (one spoiled);
tellers 1 and 3 decrypt; the ballot is published and its board written out. The
example must pass `python -m voting.verifier`: this script checks that too."""
import json
import sys
import tempfile
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from voting import create_app, verifier  # noqa: E402
from voting.accounts.models import Body  # noqa: E402
from voting.accounts.services import create_or_update_user  # noqa: E402
from voting.crypto import group  # noqa: E402
from voting.crypto.ballot import Shape, encrypt_ballot  # noqa: E402
from voting.extensions import db  # noqa: E402
from voting.teller import TellerDevice  # noqa: E402

PASSWORD = "example-password"
ITEMS = 25
SEATS = 20


def run(out: Path) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/example.sqlite", "KEY_DIR": folder,
                          "SECRET_KEY": "example", "WTF_CSRF_ENABLED": False, "RATELIMIT_ENABLED": False,
                          "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000", "UPLOAD_DIR": folder})
        with app.app_context():
            db.create_all()
            body = Body(name="示例县人大常委会", level="county")
            db.session.add(body)
            db.session.commit()
            create_or_update_user("secretariat", "secretariat", PASSWORD, body=body)
            tellers = [create_or_update_user(f"teller{i}", "teller", PASSWORD, body=body, display_name=f"监票人{i}")[0]
                       for i in (1, 2, 3)]
            db.session.commit()
            board = _sitting(app.test_client(), [t.id for t in tellers])
            db.session.remove()
            db.engine.dispose()
    problems = verifier.verify(board)
    if problems:
        raise SystemExit(f"the example board does not verify: {problems}")
    out.write_text(json.dumps(board, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return board


def _sitting(client, teller_ids) -> dict:
    def token(**credentials):
        return client.post("/api/v1/auth/token", json=credentials).get_json()["token"]

    def call(tok, method, path, body=None, **headers):
        response = client.open("/api/v1" + path, method=method, json=body,
                               headers={"Authorization": f"Bearer {tok}", **headers})
        return response.status_code, response.get_json()

    staff = token(username="secretariat", password=PASSWORD)
    _, meeting = call(staff, "POST", "/meetings", {"name": "示例县第十八届人民代表大会第一次会议"})
    mid = meeting["id"]
    _, roster = call(staff, "POST", f"/meetings/{mid}/deputies", {"deputies": [
        {"name": f"代表{i:02d}", "delegation": "示例代表团", "number": f"{i:03d}"} for i in range(1, 19)]})
    deputies = roster["deputies"]
    call(staff, "POST", f"/meetings/{mid}/tellers", {"tellers": [str(t) for t in teller_ids], "threshold": 2})
    devices = []
    for number in (1, 2, 3):
        teller_token = token(username=f"teller{number}", password=PASSWORD)
        devices.append(TellerDevice(lambda m, p, b=None, t=teller_token: call(t, m, p, b), {}))
    for step in ("join", "deal", "confirm"):
        for device in devices:
            getattr(device, step)(*( [mid] if step == "join" else []))
    for deputy in deputies:
        call(staff, "POST", f"/meetings/{mid}/checkin", {"deputy_id": deputy["id"]})
    _, ballot = call(staff, "POST", f"/meetings/{mid}/ballots", {
        "kind": "selection", "title": "2027年民生实事项目票决（示例）", "seats": SEATS,
        "items": [{"title": f"民生实事候选项目{i:02d}"} for i in range(1, ITEMS + 1)]})
    bid = ballot["id"]
    _, opened = call(staff, "POST", f"/ballots/{bid}/open")
    enc = opened["encryption"]
    shape = Shape.from_encryption(bid, enc)
    key = group.point_from_hex(enc["joint_key"])
    for index, deputy in enumerate(deputies[:15]):
        choices = {item: ("yes" if (n + index) % 5 else "no") for n, item in enumerate(enc["items"][:SEATS])}
        deputy_token = token(card=deputy["card"])
        if index < 12:
            body = {"encrypted": encrypt_ballot(key, shape, {**{i: "abstain" for i in enc["items"]}, **choices})}
        else:
            body = {"choices": choices}
        if index == 0:  # first a forged cast: item 1 with its proof from another cast, refused and kept as rejected
            forged = encrypt_ballot(key, shape, {**{i: "abstain" for i in enc["items"]}, **choices})
            forged["items"][0] = encrypt_ballot(key, shape, {i: "no" for i in enc["items"]})["items"][0]
            status, _ = call(deputy_token, "POST", f"/ballots/{bid}/votes", {"encrypted": forged},
                             **{"Idempotency-Key": uuid.uuid4().hex})
            assert status == 422, status
        status, answer = call(deputy_token, "POST", f"/ballots/{bid}/votes", body, **{"Idempotency-Key": uuid.uuid4().hex})
        assert status == 201, answer
    teller = token(username="teller2", password=PASSWORD)
    for deputy in deputies[15:17]:
        call(teller, "POST", f"/ballots/{bid}/paper/issue", {"deputy_id": deputy["id"]})
    call(teller, "POST", f"/ballots/{bid}/paper/ballots", {"choices": {enc["items"][0]: "yes", enc["items"][1]: "no"}})
    call(teller, "POST", f"/ballots/{bid}/paper/ballots", {"choices": {item: "yes" for item in enc["items"]}})  # spoiled
    call(staff, "POST", f"/ballots/{bid}/close")
    devices[0].decrypt(bid)
    devices[2].decrypt(bid)
    call(staff, "POST", f"/ballots/{bid}/publish")
    status, board = call(staff, "GET", f"/ballots/{bid}/board")
    assert status == 200, board
    return board


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ROOT / "docs" / "board-example.json")
    made = run(target)
    print(f"wrote {target}: {made['accepted']} accepted casts, {len(made['rejected'])} rejected, "
          f"{made['paper']['ballots']} paper ballots; the verifier passes")
