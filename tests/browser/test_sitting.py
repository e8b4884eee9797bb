"""A whole sitting in the browser: roster → cards → three tablets log in by card URL
and check in → the secretariat opens a ballot → every tablet votes (one beyond the
seats refused, one losing its connection, one losing the answer) → close → the hall
screen shows the result → publish. No API call by hand, no request to another host."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import func, select

from tests.factories import PASSWORD, gen_body, gen_user
from voting.ballots.models import CastBallot, Participation
from voting.database import write_intent
from voting.extensions import db

pytestmark = pytest.mark.browser

RECEIPT = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")
ROSTER = "姓名,代表团,编号\n王建国,城关代表团,001\n李秀英,东湖代表团,002\n张志强,西岭代表团,003\n"
ITEMS = ["城区老旧小区改造", "乡镇卫生院能力提升", "农村饮水安全巩固", "城乡公交一体化"]


def _read(app, fn):
    """Run `fn()` against the database of the served app, read-only."""
    with app.app_context():
        token = write_intent.set(False)
        try:
            return fn()
        finally:
            write_intent.reset(token)
            db.session.remove()


def _staff(app):
    with app.app_context():
        body = gen_body("青山县人大常委会")
        names = (gen_user("secretariat", body).username, gen_user("leader", body).username)
        db.session.remove()
    return names


def _login(context, username):
    page = context.new_page()
    page.goto("/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("h1")).to_have_text("工作台")
    return page


def _tablet(contexts, url, **options):
    context = contexts(**options)
    page = context.new_page()
    page.goto(url)
    expect(page).to_have_url(re.compile(r"/tablet$"))
    expect(page.locator("#screen-wait")).to_be_visible()
    return context, page


def _choose(page, item: int, choice: str, tap: bool = False):
    button = page.locator(f"#ballot-items > li:nth-child({item}) [data-choice={choice}]")
    button.tap() if tap else button.click()


def _submit(page):
    page.click("#to-review")
    expect(page.locator("#screen-review")).to_be_visible()
    page.click("#submit-vote")


def _receipt(page) -> str:
    expect(page.locator("#screen-done")).to_be_visible()
    expect(page.locator("#done-title")).to_have_text("投票成功")
    code = page.locator("#receipt-code").inner_text().strip()
    assert RECEIPT.match(code), code
    expect(page.locator("#receipt-qr")).to_have_attribute("src", re.compile(r"^blob:"))
    assert page.eval_on_selector("#receipt-qr", "img => img.complete && img.naturalWidth > 0")
    return code


def test_a_whole_sitting_in_the_browser(live_server, contexts):
    app = live_server.app
    secretariat_name, leader_name = _staff(app)

    # --- the secretariat: meeting, roster, cards -------------------------------------------
    console_context = contexts(viewport={"width": 1280, "height": 900})
    console = _login(console_context, secretariat_name)
    console.on("dialog", lambda dialog: dialog.accept())
    console.goto("/meetings")
    console.fill("#f-name", "青山县第十八届人民代表大会第六次会议")
    console.click("#new-meeting button[type=submit]")
    expect(console).to_have_url(re.compile(r"/meetings/\d+/roster$"))
    mid = int(re.search(r"/meetings/(\d+)/roster", console.url).group(1))
    console.set_input_files("#f-file", files=[{"name": "名单.csv", "mimeType": "text/csv",
                                                "buffer": ROSTER.encode("utf-8")}])
    console.click("form[enctype] button[type=submit]")
    expect(console.locator(".login-card")).to_have_count(3)
    console.goto(f"/meetings/{mid}/roster")
    console.click("a:has-text('打印全部登录卡')")
    console.check("input[name=confirm]")
    console.click("button:has-text('生成并打印登录卡')")
    expect(console.locator(".login-card")).to_have_count(3)
    expect(console.locator(".login-card svg")).to_have_count(3)
    card_urls = console.eval_on_selector_all("[data-card-url]", "els => els.map(e => e.dataset.cardUrl)")
    assert len(set(card_urls)) == 3 and all(url.startswith(live_server.url + "/card/") for url in card_urls)

    # --- three tablets log in by their card URLs, which checks them in ------------------------
    first_context, first = _tablet(contexts, card_urls[0], viewport={"width": 768, "height": 1024}, has_touch=True)
    second_context, second = _tablet(contexts, card_urls[1], viewport={"width": 1280, "height": 800})
    third_context, third = _tablet(contexts, card_urls[2], viewport={"width": 768, "height": 1024})
    expect(first.locator("#wait-text")).to_contain_text("目前没有需要您投票的表决")
    console.goto(f"/meetings/{mid}/checkin")
    expect(console.locator("[data-figure=present]")).to_have_text("3")
    expect(console.locator("[data-figure=quorum]")).to_have_text("已达到")

    # --- the hall screen, opened with its token ----------------------------------------------
    console.goto(f"/meetings/{mid}")
    console.click("button:has-text('生成大屏地址')")
    screen_url = console.locator("#screen-url").inner_text().strip()
    hall_context = contexts(viewport={"width": 1920, "height": 1080})
    hall = hall_context.new_page()
    hall.goto(screen_url)
    expect(hall.locator("[data-figure=total]")).to_have_text("3")
    expect(hall.locator("[data-figure=present]")).to_have_text("3")
    expect(hall.locator(".hall-idle")).to_contain_text("等待表决开始")

    # --- a ballot: 4 candidates, 2 seats; open it ------------------------------------------------
    console.goto(f"/meetings/{mid}/ballots/new")
    console.check("input[name=kind][value=selection]")
    console.fill("#f-title", "2025 年民生实事项目票决")
    console.fill("#f-items", "\n".join(ITEMS))
    console.fill("#f-seats", "2")
    expect(console.locator("#rule-preview")).to_contain_text("取前2项")
    console.click("button:has-text('保存为草稿')")
    expect(console.locator("h1")).to_have_text("2025 年民生实事项目票决")
    console.click("button:has-text('开始表决')")
    expect(console.locator(".badge.state-open")).to_be_visible()

    # the ballot appears on every tablet by itself, and the hall screen shows progress only
    for page in (first, second, third):
        expect(page.locator("#screen-ballot")).to_be_visible()
        expect(page.locator("#counter-text")).to_have_text("已选赞成 0 / 应选 2")
    expect(hall.locator(".hall-state")).to_have_text("表决进行中")
    expect(hall.locator(".progress-line")).to_contain_text("已投 0")
    assert hall.locator("table").count() == 0

    # touch targets and type on the tablet
    height, size = first.eval_on_selector(
        ".t-choice", "b => [b.getBoundingClientRect().height, parseFloat(getComputedStyle(b).fontSize)]")
    assert height >= 64 and size >= 18
    assert first.evaluate("parseFloat(getComputedStyle(document.body).fontSize)") >= 18

    # --- tablet 1: the third yes is refused --------------------------------------------------------
    _choose(first, 1, "yes", tap=True)
    _choose(first, 2, "yes", tap=True)
    expect(first.locator("#counter-text")).to_have_text("已选赞成 2 / 应选 2")
    _choose(first, 3, "yes", tap=True)
    expect(first.locator("#ballot-alert")).to_be_visible()
    expect(first.locator("#ballot-alert")).to_contain_text("不能再选")
    expect(first.locator("#counter-text")).to_have_text("已选赞成 2 / 应选 2")
    assert first.locator("#ballot-items > li:nth-child(3) [data-choice=yes]").get_attribute("aria-pressed") == "false"
    _choose(first, 3, "no", tap=True)
    # a second window of the same tablet, opened before the vote, will try to vote again
    duplicate = first_context.new_page()
    duplicate.goto("/tablet")
    expect(duplicate.locator("#screen-ballot")).to_be_visible()
    first.click("#to-review")
    expect(first.locator("#review-rows")).to_contain_text("未选（按弃权计）")
    first.click("#submit-vote")
    receipts = [_receipt(first)]

    # the duplicate window submits other choices: the server refuses them, 您已投票
    _choose(duplicate, 1, "yes")  # a second tap clears the mark
    expect(duplicate.locator("#counter-text")).to_have_text("已选赞成 1 / 应选 2")
    _submit(duplicate)
    expect(duplicate.locator("#done-title")).to_have_text("您已投票")

    # --- tablet 2: the connection drops before submit; it retries with the same key --------------
    _choose(second, 2, "yes")
    _choose(second, 4, "yes")
    second.click("#to-review")
    second_context.set_offline(True)
    second.click("#submit-vote")
    expect(second.locator("#sending-text")).to_contain_text("正在自动重试")
    stored = second.evaluate("Object.keys(localStorage).filter(k => k.indexOf('voting.tablet.') === 0)"
                             ".map(k => JSON.parse(localStorage.getItem(k)))")
    assert any(record.get("status") == "sending" and record.get("choices") for record in stored)
    second_context.set_offline(False)
    receipts.append(_receipt(second))
    stored = second.evaluate("Object.keys(localStorage).map(k => localStorage.getItem(k)).join(' ')")
    assert "choices" not in stored  # the choices left the device with the answer

    # --- tablet 3: the vote reaches the server but the answer is lost ------------------------------
    lost = []

    def lose_first_answer(route):
        if not lost:
            lost.append(route.fetch().status)  # stored on the server...
            route.abort("connectionreset")      # ...but the tablet never hears of it
        else:
            route.continue_()

    third.route("**/api/v1/ballots/*/votes", lose_first_answer)
    _choose(third, 1, "yes")
    _choose(third, 4, "no")
    _submit(third)
    receipts.append(_receipt(third))
    assert lost == [201]

    # exactly one vote per tablet, each receipt a stored tracker
    ballot_id = int(first.evaluate(r"Object.keys(localStorage).find(k => /^voting\.tablet\.d\d+\.b\d+$/.test(k))")
                    .rsplit(".b", 1)[1])
    casts = _read(app, lambda: sorted(db.session.scalars(select(CastBallot.tracker)
                                                         .where(CastBallot.ballot_id == ballot_id))))
    voted = _read(app, lambda: db.session.scalar(select(func.count()).select_from(Participation)
                                                 .where(Participation.ballot_id == ballot_id)))
    assert len(casts) == 3 and voted == 3 and sorted(receipts) == casts
    expect(hall.locator(".progress-line")).to_contain_text("已投 3")

    # --- close: the result reaches the hall screen by itself ------------------------------------------
    console.goto(f"/ballots/{ballot_id}")
    expect(console.locator("#not-voted")).to_contain_text("全部已投票")
    console.click("button:has-text('结束表决并计票')")
    expect(console.locator("table.results")).to_be_visible()
    expect(hall.locator(".hall-state")).to_have_text("表决结果")
    headers = hall.locator("table.results thead th").all_inner_texts()
    assert headers == ["项目", "赞成", "反对", "弃权", "结果"]
    rows = hall.locator("table.results tbody tr")
    expect(rows).to_have_count(4)
    # 项目 1: yes from tablets 1 and 3 → 2 of 3 deputies, more than half: selected
    assert rows.nth(0).locator("td").all_inner_texts()[:4] == [ITEMS[0], "2", "0", "1"]
    expect(rows.nth(0)).to_contain_text("确定")
    for page in (first, second, third):
        expect(page.locator("#screen-done")).to_be_visible()

    # --- publish; the leader sees the sheet with its chart -----------------------------------------------
    console.click("button:has-text('公布结果')")
    expect(console.locator(".badge.state-published")).to_be_visible()
    leader = _login(contexts(), leader_name)
    leader.goto(f"/meetings/{mid}/leader")
    expect(leader.locator(".chart")).to_be_visible()
    expect(leader.locator(".leader-ballot")).to_contain_text("已公布")

    assert contexts.foreign_requests() == []
