"""/verify/<id> (no login) and `flask verify --ballot ID`: a sheet changed by one byte fails."""
import json
import re

import pytest
from sqlalchemy import select, update

from tests.factories import gen_body, gen_user, login
from tests.sheets.mixed import MixedSitting, cells, closed_ballot, closed_selection
from voting.ballots.models import Ballot, CastBallot, TallySheet
from voting.extensions import db
from voting.integrity import keys, sealing
from voting.integrity.canonical import canonical_json


def verdict(response) -> str:
    assert response.status_code == 200
    return re.search(r'data-verdict="(\w+)"', response.get_data(as_text=True)).group(1)


def verify_cli(app, *args):
    result = app.test_cli_runner().invoke(args=["verify", *args])
    return result.exit_code, result.output


def change_one_byte(ballot_id: int, old: str, new: str) -> None:
    """Replace the first `old` in the stored sheet's JSON by `new` (same length)."""
    assert len(old.encode()) == len(new.encode())
    row = db.session.scalars(select(TallySheet).where(TallySheet.ballot_id == ballot_id)).one()
    assert old in row.sheet_json
    changed = row.sheet_json.replace(old, new, 1)
    assert sum(a != b for a, b in zip(row.sheet_json.encode(), changed.encode())) == 1
    db.session.execute(update(TallySheet).where(TallySheet.id == row.id).values(sheet_json=changed))
    db.session.commit()


@pytest.fixture
def published(api, staff):
    s, bid, ids = closed_selection(api, staff)
    s.act(bid, "publish")
    return s, bid


def test_nothing_but_not_yet_published_before_publish(app, api, staff):
    """A meeting that shows results only after publish (results_shown="publish")."""
    s = MixedSitting(api, staff, size=4, results_shown="publish")
    s.check_in(range(4))
    ballot = s.ballot(items=2, seats=1)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    anonymous = app.test_client()
    for step in ("draft", "open", "closed"):
        response = anonymous.get(f"/verify/{bid}")
        html = response.get_data(as_text=True)
        assert verdict(response) == "unpublished", step
        assert "结果尚未公布" in html
        for secret in (ballot["title"], "项目1", "核验通过", "核验未通过", "指纹"):
            assert secret not in html, (step, secret)
        if step == "draft":
            s.act(bid, "open")
            assert s.vote(0, bid, {ids[0]: "yes"}).status_code == 201
        elif step == "open":
            s.act(bid, "close")


def test_staff_who_may_read_the_tally_verify_a_closed_ballot_before_publish(app, api, body, staff):
    """Issue 6: a leader can verify the tally of any closed ballot. Staff with tally.read
    in the ballot's body or a parent body see the full check; nobody else does."""
    city = gen_body("市人大常委会", level="city")
    body.parent_id = city.id
    db.session.commit()
    s = MixedSitting(api, staff, size=4, results_shown="publish")
    s.check_in(range(4))
    ballot = s.ballot(items=2, seats=1)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    assert s.vote(0, bid, {ids[0]: "yes"}).status_code == 201
    readers = [staff["leader"], staff["secretariat"], staff["teller"], gen_user("leader", city)]
    others = [staff["station"], staff["department"], gen_user("teller", city),
              gen_user("leader", gen_body("另一县人大常委会"))]
    assert verdict(login(app.test_client(), staff["leader"]).get(f"/verify/{bid}")) == "unpublished"  # open
    s.act(bid, "close")
    sheet = s.tally(bid).get_json()
    for user in readers:
        response = login(app.test_client(), user).get(f"/verify/{bid}")
        html = response.get_data(as_text=True)
        assert verdict(response) == "ok", user.username
        assert 'data-published="no"' in html and "data-staff-only" in html and ballot["title"] in html
        assert cells(html, "data-figure")["cast"] == str(sheet["cast"])
        assert response.headers["Cache-Control"] == "private, no-store"
    for client in [app.test_client()] + [login(app.test_client(), user) for user in others]:
        response = client.get(f"/verify/{bid}")
        html = response.get_data(as_text=True)
        assert verdict(response) == "unpublished" and "结果尚未公布" in html
        assert ballot["title"] not in html and "指纹" not in html
    change_one_byte(int(bid), f'"cast":{sheet["cast"]}', f'"cast":{sheet["cast"] + 1}')
    assert verdict(login(app.test_client(), staff["leader"]).get(f"/verify/{bid}")) == "failed"
    assert verdict(app.test_client().get(f"/verify/{bid}")) == "unpublished"


@pytest.mark.parametrize("policy, shown_at_close", [("close", True), ("publish", False)])
def test_the_public_check_follows_the_meetings_display_policy(app, api, staff, policy, shown_at_close):
    """At close the public page and a deputy's tablet see the result exactly when the
    meeting shows results at close; after publish, always."""
    s = MixedSitting(api, staff, size=4, results_shown=policy)
    assert s.meeting["results_shown"] == policy
    s.check_in(range(4))
    ballot = s.ballot(items=2, seats=1)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    assert s.vote(0, bid, {ids[0]: "yes"}).status_code == 201
    s.act(bid, "close")
    anonymous = app.test_client()
    response = anonymous.get(f"/verify/{bid}")
    assert verdict(response) == ("ok" if shown_at_close else "unpublished")
    assert (ballot["title"] in response.get_data(as_text=True)) is shown_at_close
    tablet = s.api.get(f"/api/v1/ballots/{bid}/tally", s.token(0))
    if shown_at_close:
        assert tablet.status_code == 200 and tablet.get_json()["cast"] == 1
    else:
        assert tablet.status_code == 403 and tablet.get_json()["error"]["code"] == "forbidden"
    s.act(bid, "publish")
    assert verdict(anonymous.get(f"/verify/{bid}")) == "ok"
    assert s.api.get(f"/api/v1/ballots/{bid}/tally", s.token(0)).status_code == 200


def test_a_bad_display_policy_is_refused_in_chinese(api, staff):
    secretariat = api.token(staff["secretariat"].username)
    response = api.post("/api/v1/meetings", secretariat, json={"name": "会议", "results_shown": "sometimes"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert "结果显示方式" in response.get_json()["error"]["message"]


def test_unknown_ballot_is_404(client):
    assert client.get("/verify/99999").status_code == 404
    assert client.get("/verify/abc").status_code == 404


def test_a_published_sheet_verifies(app, published):
    s, bid = published
    sheet = s.tally(bid).get_json()
    response = app.test_client().get(f"/verify/{bid}")
    html = response.get_data(as_text=True)
    assert verdict(response) == "ok" and "核验通过" in html
    assert html.count('badge badge-ok') == 5 and "badge-bad" not in html
    figures = cells(html, "data-figure")
    assert figures == {key: str(sheet[key]) for key in ("total", "issued", "cast", "not_voted", "valid", "invalid")}
    assert keys.fingerprint(sheet["signature"]["public_key"]) in html
    code, output = verify_cli(app, "--ballot", bid)
    assert code == 0, output


def test_a_sheet_changed_by_one_byte_fails_on_the_page_and_the_cli(app, staff, published):
    s, bid = published
    sheet = s.tally(bid).get_json()
    change_one_byte(int(bid), f'"cast":{sheet["cast"]}', f'"cast":{sheet["cast"] + 1}')
    response = app.test_client().get(f"/verify/{bid}")
    html = response.get_data(as_text=True)
    assert verdict(response) == "failed" and "核验未通过" in html and "计票单的签名不符" in html
    assert "与计票单不一致" in html  # the recount no longer matches the changed sheet either
    code, output = verify_cli(app, "--ballot", bid)
    assert code == 1 and "计票单签名 不符" in output and "不符:" in output
    page = login(app.test_client(), staff["leader"]).get(f"/sheets/{bid}").get_data(as_text=True)
    assert 'data-signature="failed"' in page


def test_a_changed_title_byte_fails_too(app, published):
    s, bid = published
    change_one_byte(int(bid), '"title":"项目1"', '"title":"项目2"')
    assert verdict(app.test_client().get(f"/verify/{bid}")) == "failed"
    assert verify_cli(app, "--ballot", bid)[0] == 1


def test_a_sheet_that_no_longer_parses_fails_without_an_error_page(app, staff, published):
    s, bid = published
    change_one_byte(int(bid), '{"ballot":', '["ballot":')
    response = app.test_client().get(f"/verify/{bid}")
    assert verdict(response) == "failed" and "计票单缺失或内容已损坏" in response.get_data(as_text=True)
    page = login(app.test_client(), staff["leader"]).get(f"/sheets/{bid}")
    assert page.status_code == 409 and "损坏" in page.get_data(as_text=True)
    code, output = verify_cli(app, "--ballot", bid)
    assert code == 1 and "计票单内容已损坏" in output


def test_a_changed_cast_ballot_fails_the_recount_but_not_the_signature(app, published):
    s, bid = published
    ballot = db.session.get(Ballot, int(bid))
    victim = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id,
                                                         CastBallot.invalid.is_(False))).first()
    keys_ = [str(item.id) for item in ballot.items]
    forged = sealing.seal(ballot.public_key, ballot.id, canonical_json({k: "no" for k in keys_}),
                          len(victim.sealed) - (1 + 32 + 12 + 16))
    db.session.execute(update(CastBallot).where(CastBallot.id == victim.id)
                       .values(sealed=forged, tracker=sealing.tracker_for(forged)))
    db.session.commit()
    html = app.test_client().get(f"/verify/{bid}").get_data(as_text=True)
    assert 'data-verdict="failed"' in html
    assert re.search(r"badge-ok\">通过</span> 计票单签名", html)
    assert re.search(r"badge-bad\">不一致</span> 按已保存的选票重新计票", html)


def test_cli_checks_only_the_named_ballot(app, api, staff):
    first, first_bid, _ = closed_ballot(api, staff, "motion", [{0: "yes"}, {0: "yes"}, {1: "no"}])
    second, second_bid, _ = closed_ballot(api, staff, "motion", [{0: "no"}, {0: "yes"}])
    sheet = second.tally(second_bid).get_json()
    change_one_byte(int(second_bid), f'"cast":{sheet["cast"]}', f'"cast":{sheet["cast"] + 1}')
    code, output = verify_cli(app, "--ballot", first_bid)
    assert code == 0, output
    assert f"表决 {first_bid}「" in output and f"表决 {second_bid}「" not in output
    assert "表决: 已核验 1 项" in output
    code, output = verify_cli(app, "--ballot", second_bid)
    assert code == 1 and f"表决 {first_bid}「" not in output
    assert verify_cli(app)[0] == 1


def test_the_page_never_shows_more_than_the_published_sheet(app, published):
    s, bid = published
    sheet = s.tally(bid).get_json()
    html = app.test_client().get(f"/verify/{bid}").get_data(as_text=True)
    for tracker in api_receipts(s, bid):
        assert tracker not in html
    assert sheet["signature"]["value"] not in json.dumps(html)  # the fingerprint suffices
    for deputy in s.deputies:
        assert deputy["name"] not in html


def api_receipts(s, bid) -> list[str]:
    return s.api.get(f"/api/v1/ballots/{bid}/receipts", s.secretariat).get_json()["receipts"]


def test_a_sealed_ballot_resealed_by_a_writer_is_caught_by_the_signed_trackers(app, published):
    """A writer swaps a sealed ballot for a fresh sealing of the same choices (the recount
    is unchanged, every row consistent): the deputy's receipt is gone, and the sheet's
    signed digest of the trackers says so, on the page and in the CLI."""
    s, bid = published
    ballot = db.session.get(Ballot, int(bid))
    cast = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id,
                                                       CastBallot.channel == "tablet")).first()
    private = sealing.unwrap_private_key(ballot.id, ballot.wrapped_private_key)  # the test plays a key holder
    from voting.ballots.services import sealed_length

    resealed = sealing.seal(ballot.public_key, ballot.id, sealing.unseal(private, ballot.id, cast.sealed),
                            sealed_length(ballot))
    assert len(resealed) == len(cast.sealed)
    cast.sealed, cast.tracker = resealed, sealing.tracker_for(resealed)
    db.session.commit()
    response = app.test_client().get(f"/verify/{bid}")
    assert verdict(response) == "failed"
    assert "选票回执与计票单签名时的不同" in response.get_data(as_text=True)
    code, output = verify_cli(app, "--ballot", bid)
    assert code == 1 and "选票回执与计票单签名时的不同" in output and "与计票单一致" in output


def test_the_sheet_pins_trackers_participations_and_the_audit_head(app, published):
    s, bid = published
    sheet = s.tally(bid).get_json()
    pinned = sheet["integrity"]
    trackers = sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == int(bid))))
    import hashlib
    assert pinned["trackers_sha256"] == hashlib.sha256("".join(t + "\n" for t in trackers).encode()).hexdigest()
    assert pinned["participations"] == sheet["issued"] - sheet["not_voted"]
    from voting.integrity.models import AuditEntry
    closed_entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_closed",
                                                                AuditEntry.subject == f"ballot:{bid}")).one()
    assert pinned["audit_head"] == closed_entry.prev_hash
    html = app.test_client().get(f"/verify/{bid}").get_data(as_text=True)
    assert pinned["trackers_sha256"] in html


def test_the_verify_page_shows_the_pinned_fingerprint_and_refuses_another_key(app, published, monkeypatch):
    s, bid = published
    genuine = keys.fingerprint(keys.public_key_b64())
    monkeypatch.setitem(app.config, "SIGNING_KEY_FINGERPRINT", genuine)
    response = app.test_client().get(f"/verify/{bid}")
    assert verdict(response) == "ok" and 'data-field="pinned"' in response.get_data(as_text=True)
    monkeypatch.setitem(app.config, "SIGNING_KEY_FINGERPRINT", "0000 1111 2222 3333 4444 5555 6666 7777")
    response = app.test_client().get(f"/verify/{bid}")
    assert verdict(response) == "failed" and "签名密钥可能被替换" in response.get_data(as_text=True)
