"""The day of the sitting in the browser (issue #20): a deputy leaves and comes back,
a timed ballot closes at zero, a rehearsal leaves no trace, the late and paper-holder
messages are true, and a receipt is found from its QR. Time is moved with the app's
clock (VOTING_CLOCK); every wait is for something the page shows."""
import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_sitting import _login, _read, _receipt
from tests.factories import gen_body, gen_user
from tests.factories import decode_svg_qr
from voting.accounts.models import utcnow
from voting.ballots import services as ballots
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.live.screen import rotate_screen_token
from voting.meetings import services as meetings
from voting.meetings.models import Deputy, Meeting

pytestmark = pytest.mark.browser


class Clock:
    def __init__(self):
        self.now = utcnow().replace(microsecond=0)

    def __call__(self):
        return self.now


def _sitting(app, size=4, present=()):
    """A meeting of `size` deputies, those at `present` checked in by the secretariat;
    (secretariat's username, meeting id, card URLs, deputy ids)."""
    with app.app_context():
        body = gen_body("青山县人大常委会")
        secretariat = gen_user("secretariat", body).username
        meeting = meetings.create_meeting(body.id, "青山县第十八届人民代表大会第七次会议", actor="test")
        issued = meetings.import_roster(meeting, [{"name": f"代表{i}", "delegation": "城关代表团", "number": f"{i:03d}"}
                                                  for i in range(1, size + 1)], actor="test")
        for index in present:
            meetings.check_in(meeting, issued[index][0], actor="test", by_staff=True)
        result = (secretariat, meeting.id, [f"/card/{secret}" for _, secret in issued], [d.id for d, _ in issued])
        db.session.remove()
    return result


def _in_app(app, fn):
    with app.app_context():
        try:
            return fn()
        finally:
            db.session.remove()


def _ballot(app, mid, *, items=2, seats=1, open_it=True, **extra):
    def make():
        meeting = db.session.get(Meeting, mid)
        ballot = ballots.create_ballot(meeting, kind="selection", title=extra.pop("title", "民生实事项目票决"), seats=seats,
                                       items=[{"title": f"项目{i}"} for i in range(1, items + 1)], actor="test", **extra)
        if open_it:
            ballots.open_ballot(ballot, actor="test")
        return ballot.id
    return _in_app(app, make)


def _tablet(contexts, url, **options):
    context = contexts(**options)
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/tablet$"))
    return page


def test_a_deputy_leaves_and_comes_back(live_server, contexts):
    app = live_server.app
    secretariat, mid, cards, ids = _sitting(app, size=6, present=(1, 2, 3, 4, 5))
    tablet = _tablet(contexts, cards[0], viewport={"width": 768, "height": 1024})
    console = _login(contexts(viewport={"width": 1280, "height": 900}), secretariat)
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"/meetings/{mid}/checkin")
    expect(console.locator("[data-figure=present]")).to_have_text("6")
    token = _in_app(app, lambda: rotate_screen_token(db.session.get(Meeting, mid), actor="test"))
    hall = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    hall.goto(f"/screen/{mid}?token={token}")
    expect(hall.locator("[data-figure=present]")).to_have_text("6")

    # the deputy signs out on its tablet: 实到 falls on the console and the hall screen
    tablet.click("#sign-out")
    expect(tablet.locator("#screen-away")).to_be_visible()
    expect(tablet.locator("#presence-badge")).to_have_text("已签退")
    expect(console.locator("[data-figure=present]")).to_have_text("5")
    expect(console.locator("[data-figure=left]")).to_have_text("1")
    expect(hall.locator("[data-figure=present]")).to_have_text("5")
    # the secretariat signs another out on the console
    console.click(f"#deputy-{ids[1]} button:has-text('签退')")
    expect(console.locator("[data-figure=present]")).to_have_text("4")
    expect(console.locator(f"#deputy-{ids[1]}")).to_have_attribute("data-status", "left")
    expect(hall.locator("[data-figure=present]")).to_have_text("4")
    # a ballot opened now is issued to the 4 present
    first = _ballot(app, mid)
    expect(hall.locator(".hall-ballot .progress-line")).to_contain_text("发出 4")
    # both come back: the tablet by its button, the other on the console
    tablet.click("#sign-in-again")
    expect(tablet.locator("#presence-badge")).to_have_text("已签到")
    console.click(f"#deputy-{ids[1]} button:has-text('重新入场')")
    expect(console.locator("[data-figure=present]")).to_have_text("6")
    expect(hall.locator("[data-figure=present]")).to_have_text("6")
    # the deputy came back after the ballot opened: told so, not "completed"
    expect(tablet.locator("#wait-text")).to_contain_text("开始时您尚未签到")
    expect(tablet.locator("#wait-text")).not_to_contain_text("您已完成")
    # the next ballot: issued = present at its opening (6), and the tablet gets it
    second = _ballot(app, mid, title="第二项表决")
    expect(tablet.locator("#screen-ballot")).to_be_visible()
    expect(tablet.locator("#ballot-title")).to_have_text("第二项表决")

    def issued():
        found = {b: db.session.get(Ballot, b).issued for b in (first, second)}
        entries = [e.details for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_opened"))]
        return found, entries
    found, entries = _read(app, issued)
    assert found == {first: 4, second: 6}
    assert '"present":4' in entries[0].replace(" ", "") and '"present":6' in entries[1].replace(" ", "")


def test_a_timed_ballot_closes_at_zero(live_server, contexts):
    app = live_server.app
    clock = Clock()
    app.config["VOTING_CLOCK"] = clock
    secretariat, mid, cards, ids = _sitting(app, size=3, present=(1, 2))
    tablet = _tablet(contexts, cards[0], viewport={"width": 768, "height": 1024})
    token = _in_app(app, lambda: rotate_screen_token(db.session.get(Meeting, mid), actor="test"))
    hall = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    hall.goto(f"/screen/{mid}?token={token}")
    bid = _ballot(app, mid, duration_seconds=120, title="限时表决")
    # a countdown on the tablet, the hall screen and the console
    expect(tablet.locator("#screen-ballot")).to_be_visible()
    expect(tablet.locator("#ballot-deadline")).to_have_text(re.compile(r"^剩余 [12]:\d\d$"))
    expect(hall.locator(".countdown")).to_have_text(re.compile(r"^剩余 [12]:\d\d$"))
    console = _login(contexts(viewport={"width": 1280, "height": 900}), secretariat)
    console.goto(f"/ballots/{bid}")
    expect(console.locator(".countdown")).to_have_text(re.compile(r"^剩余 [12]:\d\d$"))
    # the server's clock reaches the deadline: the ballot closes by itself, seen everywhere
    clock.now += timedelta(seconds=120)
    expect(tablet.locator("#wait-text")).to_contain_text("已经结束，您没有提交选票")
    expect(hall.locator(".hall-ballot[data-state=closed]")).to_be_visible()
    expect(console.locator(".badge.state-closed")).to_be_visible()

    def audit():
        return [(e.action, e.actor) for e in db.session.scalars(select(AuditEntry).where(
            AuditEntry.subject == f"ballot:{bid}").order_by(AuditEntry.id))]
    assert _read(app, audit)[-2:] == [("ballot_timer_expired", "system:timer"), ("ballot_closed", "system:timer")]


def test_a_rehearsal_leaves_no_trace_in_records_and_exports(live_server, contexts):
    app = live_server.app
    secretariat, mid, cards, ids = _sitting(app, size=3, present=(1, 2))
    tablet = _tablet(contexts, cards[0], viewport={"width": 768, "height": 1024})
    console = _login(contexts(viewport={"width": 1280, "height": 900}), secretariat)
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto(f"/meetings/{mid}/ballots/new")
    console.check("input[name=kind][value=selection]")
    console.fill("#f-title", "试表决")
    console.fill("#f-items", "甲项目\n乙项目")
    console.fill("#f-seats", "1")
    console.check("input[name=rehearsal]")
    console.click("button:has-text('保存为草稿')")
    expect(console.locator("[data-rehearsal]").first).to_be_visible()
    console.click("button:has-text('开始表决')")
    expect(tablet.locator("#ballot-rehearsal")).to_be_visible()
    tablet.locator("#ballot-items > li:nth-child(1) [data-choice=yes]").click()
    tablet.click("#to-review")
    tablet.click("#submit-vote")
    _receipt(tablet)
    console.click("button:has-text('结束表决并计票')")
    expect(console.locator("table.results")).to_be_visible()  # counted and shown like a real one
    expect(console.locator("button:has-text('公布结果')")).to_have_count(0)
    bid = int(re.search(r"/ballots/(\d+)", console.url).group(1))
    # no trace: not in the sheets archive, no export, not publishable, no tracked project
    console.goto("/sheets")
    expect(console.locator(f"a[href='/ballots/{bid}/sheet']")).to_have_count(0)
    for extension in ("csv", "xlsx", "pdf"):
        response = console.request.get(f"/api/v1/ballots/{bid}/tally.{extension}")
        assert response.status == 409 and response.json()["error"]["code"] == "rehearsal_not_exported"
    refused = console.request.post(f"/api/v1/ballots/{bid}/publish",
                                   headers={"X-CSRFToken": console.locator("input[name=csrf_token]").first.input_value()})
    assert refused.status == 409 and refused.json()["error"]["code"] == "rehearsal_not_published"
    assert console.request.get("/api/v1/projects").json()["projects"] == []
    assert _read(app, lambda: db.session.get(Ballot, bid).state) == "closed"


def test_the_late_deputy_and_the_paper_holder_are_told_the_truth(live_server, contexts):
    app = live_server.app
    secretariat, mid, cards, ids = _sitting(app, size=4, present=(1, 2, 3))
    bid = _ballot(app, mid, items=12, seats=10, secret=False, title="记名表决")
    # a paper ballot for deputy 1, then its tablet opens
    _in_app(app, lambda: ballots.issue_paper_ballot(db.session.get(Ballot, bid), db.session.get(Deputy, ids[1]),
                                                    actor="teller"))
    paper = _tablet(contexts, cards[1], viewport={"width": 768, "height": 1024})
    expect(paper.locator(f".tablet-ballot[data-ballot='{bid}'] .badge")).to_have_text("已领纸质选票")
    expect(paper.locator("#wait-text")).to_contain_text("您已领取纸质选票")
    expect(paper.locator("#wait-text")).not_to_contain_text("您已完成")
    # deputy 0 checks in (by its card) after the ballot opened
    late = _tablet(contexts, cards[0], viewport={"width": 768, "height": 1024})
    expect(late.locator(f".tablet-ballot[data-ballot='{bid}'] .badge")).to_have_text("未参加（开始后签到）")
    expect(late.locator("#wait-text")).to_contain_text("开始时您尚未签到")
    expect(late.locator("#wait-text")).not_to_contain_text("您已完成")
    # a present deputy: the named ballot is announced, and with 12 items the review button is in reach
    voter = _tablet(contexts, cards[3], viewport={"width": 768, "height": 1024})
    expect(voter.locator("#ballot-named")).to_be_visible()
    expect(voter.locator("#ballot-named")).to_contain_text("本项为记名表决")
    expect(voter.locator("#ballot-items > li")).to_have_count(12)
    expect(voter.locator("#to-review")).to_be_in_viewport()
    # the large-text switch persists on this tablet
    voter.click("#large-text")
    expect(voter.locator("body")).to_have_class(re.compile(r"\bt-large\b"))
    voter.reload()
    expect(voter.locator("body")).to_have_class(re.compile(r"\bt-large\b"))
    expect(voter.locator("#large-text")).to_have_attribute("aria-pressed", "true")
    expect(voter.locator("#to-review")).to_be_in_viewport()


def test_the_receipt_is_found_from_its_qr(live_server, contexts):
    app = live_server.app
    secretariat, mid, cards, ids = _sitting(app, size=3, present=(1, 2))
    tablet = _tablet(contexts, cards[0], viewport={"width": 768, "height": 1024})
    bid = _ballot(app, mid, title="回执表决")
    expect(tablet.locator("#screen-ballot")).to_be_visible()
    tablet.locator("#ballot-items > li:nth-child(1) [data-choice=yes]").click()
    tablet.click("#to-review")
    tablet.click("#submit-vote")
    code = _receipt(tablet)
    # the QR the tablet shows holds the address of the check page for this code
    qr_requests = [url for url in contexts.requests if "/receipt-qr.svg" in url]
    assert qr_requests and f"ballot={bid}" in qr_requests[-1]
    svg = tablet.request.get(qr_requests[-1]).text()
    check_url = decode_svg_qr(svg)  # what a phone's camera reads from the receipt screen
    assert check_url == f"{live_server.url}/receipt-check?ballot={bid}&code={code}"
    phone = contexts(viewport={"width": 390, "height": 844}, is_mobile=True).new_page()
    phone.goto(check_url)  # what scanning the QR opens
    expect(phone.locator("#receipt-answer")).to_contain_text("结果尚未公布")

    def finish():
        ballot = db.session.get(Ballot, bid)
        ballots.close_ballot(ballot, actor="test")
        ballots.publish_ballot(db.session.get(Ballot, bid), actor="test")
    _in_app(app, finish)
    phone.goto(check_url)
    expect(phone.locator("#receipt-answer")).to_have_attribute("data-answer", "found")
    expect(phone.locator("#receipt-answer")).to_contain_text("已计入")
    # typed by hand on the page, without dashes
    phone.goto("/receipt-check")
    phone.fill("#f-code", code.replace("-", "").lower())
    phone.click("button:has-text('核对')")
    expect(phone.locator("#receipt-answer")).to_have_attribute("data-answer", "found")
