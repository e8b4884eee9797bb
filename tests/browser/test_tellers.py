"""A sitting with three tellers in Chromium (issue #17): each teller's browser makes its
part of the key, two deputies vote on tablets that encrypt on the device, two tellers
decrypt the sums from their pages, and a deputy finds its receipt on the public board."""
import json
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.test_axe import violations_of
from tests.browser.test_sitting import _login, _receipt, _tablet
from tests.factories import ApiClient, gen_body, gen_user
from voting import verifier
from voting.extensions import db

pytestmark = pytest.mark.browser


def _people(app):
    with app.app_context():
        body = gen_body("青山县人大常委会")
        secretariat = gen_user("secretariat", body).username
        tellers = [(u.id, u.username) for u in (gen_user("teller", body, display_name=f"监票人{i}") for i in (1, 2, 3))]
        db.session.remove()
    return secretariat, tellers


def _meeting_with_tellers(app, secretariat, tellers, name, deputy_names):
    """A meeting, its roster and its three tellers named (2 of 3): (meeting id, deputies)."""
    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        mid = api.post("/api/v1/meetings", token, json={"name": name}).get_json()["id"]
        deputies = api.post(f"/api/v1/meetings/{mid}/deputies", token, json={"deputies": [
            {"name": n, "delegation": "城关代表团", "number": f"00{i}"} for i, n in enumerate(deputy_names, 1)
        ]}).get_json()["deputies"]
        named = api.post(f"/api/v1/meetings/{mid}/tellers", token,
                         json={"tellers": [str(i) for i, _ in tellers], "threshold": 2})
        assert named.status_code == 201, named.get_json()
        db.session.remove()
    return mid, deputies


def test_three_tellers_two_tablets_and_the_board(contexts, live_server):
    app = live_server.app
    secretariat, tellers = _people(app)
    mid, deputies = _meeting_with_tellers(app, secretariat, tellers, "青山县第十八届人大第一次会议",
                                          ["王建国", "李秀英", "张志强"])

    pages = []
    for _, username in tellers:
        page = _login(contexts(), username)
        page.goto(f"/tellers/{mid}")
        expect(page.locator("#device")).to_be_visible()
        pages.append(page)
    for page in pages:
        page.click("#join")
        expect(page.locator("#join")).to_be_disabled()
    for page in pages:
        expect(page.locator("#deal")).to_be_enabled()
        page.click("#deal")
        expect(page.locator("#deal")).to_be_disabled()
    for page in pages:
        expect(page.locator("#confirm")).to_be_enabled()
        page.click("#confirm")
        expect(page.locator("#confirm")).to_be_disabled()
    for page in pages:
        expect(page.locator("#device-status")).to_contain_text("密钥已生成，本机保存着")
        expect(page.locator("#backup")).to_be_enabled()
    assert violations_of(pages[1]) == []  # the teller's device page passes axe
    with pages[0].expect_download() as saved:
        pages[0].click("#backup")
    backup = json.loads(Path(saved.value.path()).read_text())
    assert backup["position"] == 1 and len(backup["share"]) == 64
    pages[0].evaluate("() => { window.print = () => {}; }")
    pages[0].click("#print-backup")
    expect(pages[0].locator("#backup-qr")).to_have_attribute("src", re.compile(r"^data:image/gif;base64,"))

    tablets = [_tablet(contexts, f"/card/{d['card']}")[1] for d in deputies[:2]]
    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        api.post(f"/api/v1/meetings/{mid}/checkin", token, json={"deputy_id": deputies[2]["id"]})
        ballot = api.post(f"/api/v1/meetings/{mid}/ballots", token, json={
            "kind": "selection", "title": "2027年民生实事项目票决", "seats": 1,
            "items": [{"title": "城区老旧小区改造"}, {"title": "乡镇卫生院能力提升"}]}).get_json()
        bid = ballot["id"]
        assert api.post(f"/api/v1/ballots/{bid}/open", token).status_code == 200
        db.session.remove()

    receipts = []
    for index, page in enumerate(tablets):
        expect(page.locator("#screen-ballot")).to_be_visible()
        page.locator(f"#ballot-items > li:nth-child({index + 1}) [data-choice=yes]").click()
        page.click("#to-review")
        page.click("#submit-vote")
        receipts.append(_receipt(page))

    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        deputy = api.card_token(deputies[2]["card"])
        first = str(ballot["items"][0]["id"])
        assert api.post(f"/api/v1/ballots/{bid}/votes", deputy, json={"choices": {first: "yes"}},
                        headers={"Idempotency-Key": "k3"}).status_code == 201
        assert api.post(f"/api/v1/ballots/{bid}/close", token).status_code == 200
        db.session.remove()

    for page in pages[::2]:
        button = page.locator(f"#awaiting button[data-ballot='{bid}']")
        expect(button).to_be_visible(timeout=20000)
        button.click()
        expect(page.locator("#device-status")).to_contain_text(re.compile("已提交本机的解密份额|计票单已生成"))
    expect(pages[2].locator("#device-status")).to_contain_text("计票单已生成")

    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        sheet = api.get(f"/api/v1/ballots/{bid}/tally", token).get_json()
        assert [item["counts"]["yes"] for item in sheet["items"]] == [2, 1]
        assert (sheet["encryption"]["encrypted_on_device"], sheet["encryption"]["encrypted_by_server"]) == (2, 1)
        assert api.post(f"/api/v1/ballots/{bid}/publish", token).status_code == 200
        board = api.get(f"/api/v1/ballots/{bid}/board").get_json()
        db.session.remove()
    assert verifier.verify(board) == []
    assert {c["origin"] for c in board["casts"]} == {"device", "server"}

    page = tablets[0]
    page.goto(f"/tellers/boards/{bid}?code={receipts[0]}")
    expect(page.locator("#receipt-result")).to_have_attribute("data-found", "1")
    assert violations_of(page) == []  # the public board passes axe
    page.goto(f"/tellers/boards/{bid}?code=AAAA-BBBB-CCCC-DDDD")
    expect(page.locator("#receipt-result")).to_have_attribute("data-found", "0")
    assert contexts.foreign_requests() == []


def test_a_tampered_tablet_is_refused_and_its_deputy_votes_again(contexts, live_server):
    """The tablet's encryption replaced in the page (a tampered browser): the cast it
    makes (two marks on one item) is refused with 422 ballot_rejected, never counted,
    kept on the board as rejected; the deputy then votes again from the same tablet."""
    from tests.tellers.conftest import device_for

    app = live_server.app
    secretariat, tellers = _people(app)
    mid, (deputy,) = _meeting_with_tellers(app, secretariat, tellers, "青山县第十八届人大第二次会议", ["王建国"])
    with app.app_context():
        api = ApiClient(app.test_client())
        devices = [device_for(api, username) for _, username in tellers]
        for step in ("join", "deal", "confirm"):
            for device in devices:
                getattr(device, step)(*([mid] if step == "join" else []))
        db.session.remove()
    context, page = _tablet(contexts, f"/card/{deputy['card']}")
    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        ballot = api.post(f"/api/v1/meetings/{mid}/ballots", token, json={
            "kind": "motion", "title": "关于本级预算调整的决议", "items": [{"title": "预算调整方案"}]}).get_json()
        bid = ballot["id"]
        assert api.post(f"/api/v1/ballots/{bid}/open", token).status_code == 200
        db.session.remove()
    expect(page.locator("#screen-ballot")).to_be_visible()
    page.wait_for_function("() => window.BallotCrypto !== undefined")
    page.evaluate("""() => {
      const honest = window.BallotCrypto.encryptBallot;
      window.BallotCrypto = Object.assign({}, window.BallotCrypto, {encryptBallot: (key, shape, choices) => {
        const made = honest(key, shape, choices);
        const other = honest(key, shape, {[shape.items[0]]: "no"});
        made.encrypted.items[0].b = other.encrypted.items[0].b;  // half of another cast's "no", under this one's proof
        window.BallotCrypto.encryptBallot = honest;  // one forged cast, then the tablet is honest again
        return made;
      }});
    }""")
    page.locator("#ballot-items > li:nth-child(1) [data-choice=yes]").click()
    page.click("#to-review")
    page.click("#submit-vote")
    expect(page.locator("#screen-ballot")).to_be_visible()
    expect(page.locator("body")).to_contain_text("加密选票未通过核验")
    page.locator("#ballot-items > li:nth-child(1) [data-choice=yes]").click()
    page.click("#to-review")
    page.click("#submit-vote")
    receipt = _receipt(page)
    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        assert api.post(f"/api/v1/ballots/{bid}/close", token).status_code == 200
        db.session.remove()
    devices[0].decrypt(bid)
    devices[1].decrypt(bid)
    with app.app_context():
        api = ApiClient(app.test_client())
        token = api.token(secretariat)
        sheet = api.get(f"/api/v1/ballots/{bid}/tally", token).get_json()
        assert sheet["items"][0]["counts"] == {"yes": 1, "no": 0, "abstain": 0}
        assert sheet["encryption"]["rejected"] == 1 and sheet["cast"] == 1
        api.post(f"/api/v1/ballots/{bid}/publish", token)
        board = api.get(f"/api/v1/ballots/{bid}/board").get_json()
        db.session.remove()
    assert [c["tracker"] for c in board["casts"]] == [receipt] and len(board["rejected"]) == 1
    assert verifier.verify(board) == []
