"""The tellers' demo of `flask seed-demo` (voting/tellers/demo.py): a meeting whose key
three in-process teller devices made, with a published encrypted ballot whose board
verifies; a second meeting whose tellers are named and whose key waits for them."""
import re
from pathlib import Path

from sqlalchemy import func, select

from voting import verifier
from voting.accounts.models import User
from voting.ballots.models import Ballot, TallySheet
from voting.demo import DEMO_ACCOUNTS
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.teller import TellerDevice
from voting.tellers import ceremony, demo
from voting.tellers.models import TellerCeremony

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-password"


def _seed(app):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", PASSWORD])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def _meeting(name: str) -> Meeting:
    return db.session.scalars(select(Meeting).where(Meeting.name == name)).one()


def _counts():
    db.session.expire_all()
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Meeting, Ballot, User, TellerCeremony))


def test_demo_ballot_under_tellers_is_published_and_verifies(app, client):
    output = _seed(app)
    assert "监票人演示" in output and "/tellers/boards/" in output
    meeting = _meeting(demo.KEYED_MEETING)
    key = ceremony.ceremony_of(meeting)
    assert key.joint_key is not None and (key.threshold, key.size) == (2, 3)
    assert [seat.user.username for seat in key.seats] == ["teller1", "teller2", "teller3"]
    ballot = db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting.id)).one()
    assert ballot.state == "published" and ballot.secret and ballot.with_tellers
    assert not ballot.awaiting_tellers

    sheet = db.session.scalars(select(TallySheet).where(TallySheet.ballot_id == ballot.id)).one().sheet
    assert (sheet["total"], sheet["issued"], sheet["cast"]) == (demo.DEPUTIES, demo.PRESENT, len(demo.CASTS))
    by_title = {item["title"]: item["counts"] for item in sheet["items"]}
    assert [by_title[title] for title, _ in demo.ITEMS] == demo.expected_counts()
    assert [c["yes"] for c in demo.expected_counts()] == [9, 8, 7, 3, 2]
    assert sorted(i["title"] for i in sheet["items"] if i["outcome"] == "selected") == \
        sorted(title for title, _ in demo.ITEMS[:demo.SEATS])
    assert sheet["encryption"]["mode"] == "tellers"
    assert sheet["encryption"]["decrypted_by"] == list(demo.DECRYPTING)
    assert sheet["encryption"]["encrypted_on_device"] == len(demo.CASTS)

    response = client.get(f"/api/v1/ballots/{ballot.id}/board")
    assert response.status_code == 200, response.get_json()
    board = response.get_json()
    assert verifier.verify(board) == []
    assert board["accepted"] == len(demo.CASTS) and board["rejected"] == []
    assert client.get(f"/tellers/boards/{ballot.id}").status_code == 200

    verified = app.test_cli_runner().invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output
    assert "公开核验板 通过" in verified.output


def test_demo_is_idempotent_and_leaves_no_teller_token(app):
    _seed(app)
    counts = _counts()
    again = _seed(app)
    assert "监票人:" not in again and _counts() == counts
    from voting.accounts.models import ApiToken

    live = db.session.scalars(select(ApiToken).where(ApiToken.revoked.is_(False))).all()
    assert live == []  # the devices' tokens were revoked when the seeding ended


def test_second_demo_meeting_awaits_the_ceremony_of_the_demo_tellers(app, api):
    """A newcomer's three browsers, here three devices logging in as teller1..teller3
    with the demo password, make the second meeting's key."""
    _seed(app)
    meeting = _meeting(demo.CEREMONY_MEETING)
    assert ceremony.ceremony_json(meeting)["stage"] == "transport_keys"
    assert db.session.scalar(select(func.count(Ballot.id)).where(Ballot.meeting_id == meeting.id)) == 0
    db.session.commit()  # the test's read transaction ends before the app's requests write (SQLite)
    signed_in = api.client.post("/login", data={"username": "teller1", "password": PASSWORD})
    assert signed_in.status_code == 302
    page = api.client.get(f"/tellers/{meeting.id}")
    assert page.status_code == 200 and "① 登记本机" in page.get_data(as_text=True)
    api.client.post("/logout")
    devices = []
    for username in ("teller1", "teller2", "teller3"):
        user = db.session.scalars(select(User).where(User.username == username)).one()
        assert user.role == "teller" and user.check_password(PASSWORD)
        token = api.client.post("/api/v1/auth/token", json={"username": username, "password": PASSWORD}).get_json()
        devices.append(_device(api, token["token"]))
    for step in ("join", "deal", "confirm"):
        for device in devices:
            getattr(device, step)(*([meeting.id] if step == "join" else []))
    db.session.expire_all()
    assert ceremony.ceremony_json(meeting)["stage"] == "complete"


def _device(api, token: str) -> TellerDevice:
    def call(method, path, body=None):
        response = api.call(method, "/api/v1" + path, token, json=body)
        return response.status_code, response.get_json()
    return TellerDevice(call, {})


def test_readme_and_makefile_list_every_demo_account():
    assert {"teller1", "teller2", "teller3"} <= set(DEMO_ACCOUNTS)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    chinese = readme[readme.index("演示账号（密码"):]
    chinese = chinese[:chinese.index("\n\n")]
    english = readme[readme.index("Demo logins (password"):]
    english = english[:english.index("\n\n")]
    for part in (chinese, english):
        assert set(re.findall(r"`([a-z0-9-]+)`", part)) - {"demo-password"} == set(DEMO_ACCOUNTS), part
    make_line = next(line for line in (ROOT / "Makefile").read_text(encoding="utf-8").splitlines() if "演示账号" in line)
    assert set(re.findall(r"[a-z][a-z0-9-]+", make_line.split("演示账号", 1)[1])) - {"demo-password"} \
        == set(DEMO_ACCOUNTS), make_line
