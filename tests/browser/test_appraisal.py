"""The year-end appraisal cycle in the browser: the secretariat creates a satisfaction
appraisal (rate mode, 80% inclusive) of two project reports and puts round 1 into a
meeting; five tablets log in by card URL and vote with 满意 / 基本满意 / 不满意; the
housing report gets 3/5 = 60% (须再办理、再报告), the secretariat closes the ballot,
marks the re-report with a due date, the department submits it with a PDF, the
secretariat starts round 2 at a later meeting chosen on the campaign page, the
deputies vote again and the report passes at exactly 80% (4/5). The item's page
shows round 1 → re-report → round 2. No API call by hand; the projects and the staff
accounts are seeded in setup."""
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_sitting import _login, _read, _receipt, _submit, _tablet
from tests.factories import gen_body, gen_user
from voting.appraisals.models import AppraisalCampaign
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.tracking.models import LivelihoodProject

pytestmark = pytest.mark.browser

YEAR = 2026
HOUSING, SCHOOL = "城区老旧小区改造", "乡村学校食堂提升"
HOUSING_ITEM, SCHOOL_ITEM = f"{HOUSING}实施情况报告", f"{SCHOOL}实施情况报告"
CAMPAIGN = f"{YEAR}年民生实事项目实施情况满意度测评"
FIRST_MEETING = "青山县人大常委会第二十次会议"
LATER_MEETING = "青山县人大常委会第二十二次会议"
ROSTER = ("姓名,代表团,编号\n王建国,,001\n李秀英,,002\n张志强,,003\n刘桂兰,,004\n陈海涛,,005\n")
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
REREPORT_TEXT = "已完成加装电梯12部，补齐雨污分流管网3.2公里。"

# What each of the five tablets chooses, round by round.
ROUND_1 = [{HOUSING_ITEM: "satisfied", SCHOOL_ITEM: "satisfied"},
           {HOUSING_ITEM: "satisfied", SCHOOL_ITEM: "basically_satisfied"},
           {HOUSING_ITEM: "satisfied", SCHOOL_ITEM: "satisfied"},
           {HOUSING_ITEM: "unsatisfied", SCHOOL_ITEM: "basically_satisfied"},
           {HOUSING_ITEM: "unsatisfied", SCHOOL_ITEM: "unsatisfied"}]
ROUND_2 = [{HOUSING_ITEM: "satisfied"}, {HOUSING_ITEM: "satisfied"}, {HOUSING_ITEM: "satisfied"},
           {HOUSING_ITEM: "satisfied"}, {HOUSING_ITEM: "unsatisfied"}]


def _seed(app):
    """The body, its secretariat and the housing bureau's account, two projects of the year."""
    with app.app_context():
        body = gen_body("青山县人大常委会")
        secretariat = gen_user("secretariat", body).username
        housing = gen_user("department", body, department="县住建局").username
        for title, department in ((HOUSING, "县住建局"), (SCHOOL, "县教育局")):
            db.session.add(LivelihoodProject(body_id=body.id, year=YEAR, title=title, department=department))
        db.session.commit()
        db.session.remove()
    return secretariat, housing


def _meeting_with_cards(console, name) -> list[str]:
    """A meeting made in the console, its roster imported and its cards printed: the card URLs."""
    console.goto("/meetings")
    console.fill("#f-name", name)
    console.fill("#f-year", str(YEAR))
    console.select_option("#f-quorum", "1/2")
    console.click("#new-meeting button[type=submit]")
    expect(console).to_have_url(re.compile(r"/meetings/\d+/roster$"))
    console.set_input_files("#f-file", files=[{"name": "名单.csv", "mimeType": "text/csv",
                                                "buffer": ROSTER.encode("utf-8")}])
    console.click("form[enctype] button[type=submit]")
    expect(console.locator(".login-card")).to_have_count(5)
    console.go_back()
    console.click("a:has-text('打印全部登录卡')")
    console.check("input[name=confirm]")
    console.click("button:has-text('生成并打印登录卡')")
    expect(console.locator(".login-card svg")).to_have_count(5)
    return console.eval_on_selector_all("[data-card-url]", "els => els.map(e => e.dataset.cardUrl)")


def _item(page, title):
    return page.locator("#ballot-items > li", has=page.locator(".t-item-title", has_text=title))


def _vote(page, choices: dict, expected_title: str):
    expect(page.locator("#screen-ballot")).to_be_visible()
    expect(page.locator("#ballot-title")).to_have_text(expected_title)
    expect(page.locator("#ballot-items > li")).to_have_count(len(choices))
    for title, choice in choices.items():
        row = _item(page, title)
        expect(row.locator("[data-choice]")).to_have_text(["满意", "基本满意", "不满意"])
        row.locator(f"[data-choice={choice}]").click()
        expect(row.locator(f"[data-choice={choice}]")).to_have_attribute("aria-pressed", "true")
    _submit(page)
    return _receipt(page)


def _open_ballot_from_campaign(console, round_no):
    """From the campaign page to the round's ballot page, and open it there."""
    expect(console.locator("p.card", has_text=f"第{round_no}轮测评草稿")).to_be_visible()
    console.click("p.card a:has-text('表决页面')")
    expect(console).to_have_url(re.compile(r"/ballots/\d+$"))
    console.click("button:has-text('开始表决')")
    expect(console.locator(".badge.state-open")).to_be_visible()
    return int(re.search(r"/ballots/(\d+)$", console.url).group(1))


def _close_ballot(console):
    expect(console.locator("#not-voted")).to_contain_text("全部已投票")
    console.click("button:has-text('结束表决并计票')")
    expect(console.locator("table.results")).to_be_visible()


def _result_row(page, title):
    return page.locator("table.results tbody tr", has=page.locator("td", has_text=title))


def test_the_appraisal_cycle_with_a_second_round_in_the_browser(live_server, contexts):
    app = live_server.app
    secretariat_name, housing_name = _seed(app)

    # --- the secretariat: the first meeting with its cards, the campaign, its items ----------------
    console = _login(contexts(viewport={"width": 1280, "height": 900}), secretariat_name)
    console.on("dialog", lambda dialog: dialog.accept())
    first_cards = _meeting_with_cards(console, FIRST_MEETING)
    assert len(set(first_cards)) == 5

    console.goto("/dashboard")
    console.click("a:has-text('年终满意度测评')")
    console.click("a:has-text('新建测评')")
    console.fill("#title", CAMPAIGN)
    console.fill("#year", str(YEAR))
    console.check("input[name=mode][value=rate]")
    console.fill("#fraction", "4/5")
    console.check("input[name=inclusive]")
    console.select_option("#base", "item_valid")
    console.click("button:has-text('创建测评')")
    expect(console.locator("h1")).to_contain_text(CAMPAIGN)
    expect(console.locator(".card", has_text="规则")).to_contain_text("80%")
    campaign_url = console.url
    console.check(f"label:has-text('{HOUSING}') input[name=project]")
    console.check(f"label:has-text('{SCHOOL}') input[name=project]")
    console.click("button:has-text('添加所选')")
    expect(console.locator("table.appr-table tbody tr")).to_have_count(2)
    console.select_option("#meeting", label=FIRST_MEETING)
    console.click("button:has-text('生成测评表决')")
    expect(console.locator(".flash-success")).to_contain_text("第1轮测评表决已生成")

    # --- five tablets log in by card URL (which checks them in); round 1 opens ------------------------
    tablets = []
    for n, url in enumerate(first_cards):
        _, page = _tablet(contexts, url, viewport={"width": 768, "height": 1024} if n % 2 else
                          {"width": 1280, "height": 800})
        tablets.append(page)
    round1_id = _open_ballot_from_campaign(console, 1)
    receipts = [_vote(page, choices, CAMPAIGN) for page, choices in zip(tablets, ROUND_1)]
    assert len(set(receipts)) == 5

    # --- close in the console: the housing report gets 3/5 = 60%, under 80% ----------------------------
    _close_ballot(console)
    expect(console.locator("table.results thead th")).to_have_text(["项目", "满意", "基本满意", "不满意", "弃权", "结果"])
    expect(_result_row(console, HOUSING_ITEM).locator("td")).to_have_text(
        [HOUSING_ITEM, "3", "0", "2", "0", "须再办理、再报告"])
    expect(_result_row(console, SCHOOL_ITEM).locator("td")).to_have_text([SCHOOL_ITEM, "2", "2", "1", "0", "满意"])
    for page in tablets:
        expect(page.locator("#screen-done")).to_be_visible()

    # --- mark the re-report with its due date ------------------------------------------------------------
    console.goto(campaign_url)
    failing = console.locator(".card", has_text="第1轮：须再办理、再报告")
    expect(failing.locator("h2")).to_have_text("第1轮：须再办理、再报告（1 项）")
    expect(failing.locator("ul").first).to_contain_text(HOUSING_ITEM)
    expect(failing.locator("ul").first).not_to_contain_text(SCHOOL_ITEM)
    console.fill("#due_date", f"{YEAR}-12-20")
    console.click("button:has-text('标记为再办理、再报告')")
    expect(console.locator(".flash-success")).to_contain_text("已标记 1 个项目")
    expect(console.locator(".appr-problems")).to_contain_text("县住建局")
    expect(console.locator("#reappraisal-meeting")).to_have_count(0)  # not before the re-report

    # --- the housing bureau submits its re-report with a PDF --------------------------------------------
    department = _login(contexts(), housing_name)
    department.click("a:has-text('再办理、再报告')")
    rows = department.locator("table tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text(HOUSING_ITEM)
    expect(rows.first).to_contain_text(f"{YEAR}-12-20")
    rows.first.locator("a:has-text('提交再报告')").click()
    department.fill("#text", REREPORT_TEXT)
    department.set_input_files("#attachments", files=[{"name": "整改报告.pdf", "mimeType": "application/pdf",
                                                        "buffer": PDF}])
    department.click("button:has-text('提交再报告')")
    expect(department.locator(".flash-success")).to_have_text("再报告已提交。")
    with department.expect_download() as download:
        department.click("a:has-text('整改报告.pdf')")
    assert Path(download.value.path()).read_bytes() == PDF

    # --- a later meeting, and round 2 there, chosen on the campaign page -------------------------------
    later_cards = _meeting_with_cards(console, LATER_MEETING)
    console.goto(campaign_url)
    expect(console.locator(".appr-problems")).to_have_count(0)
    selector = console.locator("#reappraisal-meeting")
    expect(console.locator("label[for=reappraisal-meeting]")).to_have_text("在哪次会议上再次测评")
    expect(selector.locator("option:checked")).to_have_text(FIRST_MEETING)  # round 1's meeting by default
    selector.select_option(label=LATER_MEETING)
    console.click("button:has-text('开始第2轮测评')")
    expect(console.locator(".flash-success")).to_contain_text("第2轮测评已生成")

    for page, url in zip(tablets, later_cards):
        page.goto(url)
        expect(page).to_have_url(re.compile(r"/tablet$"))
        expect(page.locator(".tablet-meeting")).to_have_text(LATER_MEETING)
    round2_id = _open_ballot_from_campaign(console, 2)
    expect(console.locator("p.no-print a").first).to_have_text(f"← {LATER_MEETING}")
    expect(console.locator("ol.ballot-items > li")).to_have_count(1)
    receipts = [_vote(page, choices, f"{CAMPAIGN}（第2轮）") for page, choices in zip(tablets, ROUND_2)]
    assert len(set(receipts)) == 5

    # --- close: exactly 80% (4/5) is enough ------------------------------------------------------------------
    _close_ballot(console)
    expect(_result_row(console, HOUSING_ITEM).locator("td")).to_have_text([HOUSING_ITEM, "4", "0", "1", "0", "满意"])

    # --- the campaign page and the item's history: round 1 → re-report → round 2 ------------------------------
    console.goto(campaign_url)
    expect(console.locator("table.appr-table thead th")).to_contain_text(["第1轮", "第2轮"])
    expect(console.locator(".card", has_text="第2轮测评已结束")).to_contain_text("没有须再办理、再报告的项目")
    console.click(f"table.appr-table a:has-text('{HOUSING_ITEM}')")
    expect(console.locator("h1")).to_have_text(HOUSING_ITEM)
    history = console.locator("ol.appr-history > li")
    expect(history).to_have_count(2)
    first, second = history.nth(0), history.nth(1)
    expect(first.locator("h3")).to_have_text(f"第1轮测评：{CAMPAIGN}")
    expect(first.locator(".appr-outcome")).to_have_text(re.compile(r"须再办理、再报告\s+满意率 60\.00%"))
    expect(first).to_contain_text("满意 3 票，基本满意 0 票，不满意 2 票")
    expect(first.locator(".appr-rereport")).to_contain_text(f"期限 {YEAR}-12-20，县住建局")
    expect(first.locator(".appr-rereport")).to_contain_text(REREPORT_TEXT)
    expect(first.locator(".appr-rereport a")).to_have_text("整改报告.pdf")
    expect(second.locator("h3")).to_have_text(f"第2轮测评：{CAMPAIGN}（第2轮）")
    expect(second.locator(".appr-outcome")).to_have_text(re.compile(r"满意\s+满意率 80\.00%"))
    expect(second).to_contain_text("满意 4 票，基本满意 0 票，不满意 1 票")
    expect(second.locator(".appr-rereport")).to_have_count(0)

    # round 2 is its own ballot at the later meeting, linked to round 1, which is as it was
    def rounds():
        campaign = db.session.scalar(select(AppraisalCampaign).where(AppraisalCampaign.title == CAMPAIGN))
        round2 = db.session.get(Ballot, round2_id)
        return (campaign.ballot_id, round2.parent_id, round2.round, round2.meeting.name,
                db.session.get(Ballot, round1_id).meeting.name)
    assert _read(app, rounds) == (round1_id, round1_id, 2, LATER_MEETING, FIRST_MEETING)

    assert contexts.foreign_requests() == []
