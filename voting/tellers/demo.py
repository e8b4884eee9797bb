"""Demo of the tellers (docs/BOARD.md): two meetings of the main county with tellers
teller1..teller3 (any 2 of 3 decrypt).

1. KEYED_MEETING: the three tellers' devices (voting.teller.TellerDevice, the same
   client as `python -m voting.teller`) make the key through the real API, run in this
   process; a secret selection ballot of a few items is voted by the meeting's
   deputies (each cast encrypted to the joint key and proved, as a tablet does), closed,
   decrypted by tellers 1 and 3, and published: its public board
   (/tellers/boards/<bid>) passes `python -m voting.verifier`.
   The tellers' key shares live only in this seeding process's memory and are thrown
   away when it ends: the demo tellers can therefore NOT decrypt any new ballot of
   that meeting (a new ballot there would wait for the tellers for ever). Real tellers
   keep their shares on their own devices (backup file and printed QR).
2. CEREMONY_MEETING: the same three tellers are named but the key is not made, so
   one can run the ceremony in three browsers (/tellers/<meeting id>).

Idempotent: a meeting that exists is not seeded again."""
import secrets

from flask import current_app
from sqlalchemy import select

from voting.accounts import services as accounts
from voting.accounts.models import User
from voting.ballots import services as ballots
from voting.ballots.models import Ballot
from voting.crypto.ballot import encrypt_ballot
from voting.database import write_intent
from voting.demo import TELLERS, demo_meeting
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.meetings.services import check_in
from voting.teller import TellerDevice
from voting.tellers import ceremony as ceremonies
from voting.tellers.tally import shape_of

ACTOR = "seed-demo"
YEAR = 2027
KEYED_MEETING = "青山县第十八届人民代表大会第七次会议（监票人演示）"
CEREMONY_MEETING = "青山县第十八届人民代表大会第八次会议（监票人演示：待生成密钥）"
THRESHOLD = 2
DECRYPTING = (1, 3)  # the tellers (positions) who decrypt the demo ballot
TITLE = f"{YEAR}年民生实事项目票决（监票人演示）"
SEATS = 3
ITEMS = [("城南社区卫生服务中心扩建", "新增床位 40 张"), ("农村公路安全生命防护工程", "整治危险路段 60 公里"),
         ("中小学课后服务全覆盖", "全县 28 所中小学开展课后服务"), ("城区污水管网雨污分流", "改造管网 12 公里"),
         ("图书馆分馆进社区", "建设 8 个社区图书分馆")]
DEPUTIES = 12
PRESENT = 11  # check in; one of them does not vote
# One cast per voting deputy, one mark per item: y yes, n no, a not marked (abstain);
# at most SEATS yes each. The yes counts (9, 8, 7, 3, 2), over half of the 12 deputies
# for the first three, select them without a tie.
CASTS = ["yyynn", "yyyna", "yyyan", "yyynn", "yyyaa", "yyyna", "yynya", "ynyay", "yynyn", "nanyy"]
MARKS = {"y": "yes", "n": "no", "a": "abstain"}


def expected_counts() -> list[dict[str, int]]:
    """What CASTS add up to, item by item (the tests compare the sheet with it)."""
    return [{option: sum(1 for cast in CASTS if MARKS[cast[n]] == option) for option in MARKS.values()}
            for n in range(len(ITEMS))]


def _meeting(context, name: str, deputies: int, names_from: int, out: list[str]) -> Meeting | None:
    """The meeting, made now; None when it already existed (it is then left alone)."""
    body = context["main"]
    if db.session.execute(select(Meeting.id).filter_by(body_id=body.id, name=name)).first() is not None:
        return None
    return demo_meeting(body, name, deputies, ["第一代表团", "第二代表团"], out, year=YEAR, names_from=names_from)


def _tellers(context) -> list[User]:
    names = [f"teller{n}" for n in TELLERS]
    users = {u.username: u for u in db.session.scalars(select(User).where(User.username.in_(names)))}
    return [users[name] for name in names]


def _device(user: User, tokens: list[str]) -> TellerDevice:
    """A teller's device talking to this app's API in process, with a token of its own:
    each call is a request with its own app context (own session, own flask.g), as
    from another machine. The device's state (transport key, then key share) is a dict
    in this process's memory only."""
    app = current_app._get_current_object()
    raw, _ = accounts.issue_token(user=user)
    db.session.commit()
    tokens.append(raw)
    client = app.test_client()

    def call(method: str, path: str, body=None):
        db.session.commit()  # end this process's transaction first (on SQLite it holds the write lock)
        intent = write_intent.get()  # a request sets it for itself (voting.web); this process keeps its own
        try:
            with app.app_context():
                response = client.open("/api/v1" + path, method=method, json=body,
                                       headers={"Authorization": f"Bearer {raw}"})
                return response.status_code, response.get_json()
        finally:
            write_intent.set(intent)
    return TellerDevice(call, {})


def _make_key(meeting: Meeting, devices: list[TellerDevice]) -> bytes:
    for device in devices:
        device.join(meeting.id)
    for device in devices:
        device.deal()
    for device in devices:
        device.confirm()
    db.session.expire_all()  # the devices' requests wrote through sessions of their own
    return ceremonies.ceremony_of(meeting).joint_key


def _sitting(meeting: Meeting, key: bytes, devices: list[TellerDevice]) -> dict:
    present = meeting.deputies[:PRESENT]
    for deputy in present:
        check_in(meeting, deputy, actor=ACTOR, by_staff=True)
    ballot = ballots.create_ballot(meeting, kind="selection", title=TITLE, seats=SEATS, actor=ACTOR,
                                   items=[{"title": title, "description": text} for title, text in ITEMS])
    ballots.open_ballot(ballot, actor=ACTOR)
    shape = shape_of(ballot)
    for deputy, cast in zip(present, CASTS):
        # Encrypted and proved as on the tablet; the idempotency key is random like a
        # tablet's (voting/ballots/demo.py says why).
        choices = {item: MARKS[mark] for item, mark in zip(shape.item_ids, cast)}
        ballots.cast_vote(ballot, deputy, None, f"demo-{secrets.token_hex(16)}",
                          encrypted=encrypt_ballot(key, shape, choices))
    ballots.close_ballot(ballot, actor=ACTOR)
    answer = None
    for position in DECRYPTING:  # the second share makes and signs the sheet
        answer = devices[position - 1].decrypt(str(ballot.id))
    if not answer or not answer["counted"]:
        raise RuntimeError(f"演示表决未能解密：{answer}")
    db.session.expire_all()
    ballot = db.session.get(Ballot, ballot.id)
    ballots.publish_ballot(ballot, actor=ACTOR)
    return {"ballot": ballot, "present": len(present)}


def seed(context) -> list[str]:
    out: list[str] = []
    tellers = _tellers(context)
    keyed = _meeting(context, KEYED_MEETING, DEPUTIES, 500, out)
    if keyed is not None:
        ceremonies.name_tellers(keyed, [str(u.id) for u in tellers], THRESHOLD, actor=ACTOR)  # commits
        tokens: list[str] = []
        devices = [_device(user, tokens) for user in tellers]
        try:
            done = _sitting(keyed, _make_key(keyed, devices), devices)
        finally:
            for raw in tokens:  # the devices' tokens end with the seeding
                accounts.revoke_token(raw)
        del devices  # the key shares: kept nowhere, so no one can decrypt a new ballot of this meeting
        ballot = done["ballot"]
        out.append(f"监票人: {KEYED_MEETING} 由 teller1、teller2、teller3 生成密钥（任意 {THRESHOLD} 人可解密），"
                   f"「{ballot.title}」签到 {done['present']} 人、加密投票 {len(CASTS)} 票，"
                   f"监票人 {'、'.join(str(p) for p in DECRYPTING)} 解密后已公布，核验板 /tellers/boards/{ballot.id}"
                   "（演示监票人的密钥份额未保存，本会议不能再解密新的表决）")
    waiting = _meeting(context, CEREMONY_MEETING, 6, 520, out)
    if waiting is not None:
        ceremonies.name_tellers(waiting, [str(u.id) for u in tellers], THRESHOLD, actor=ACTOR)
        out.append(f"监票人: {CEREMONY_MEETING} 已指定 teller1、teller2、teller3（{THRESHOLD}/3），"
                   f"密钥待三人分别在 /tellers/{waiting.id} 生成")
    return out
