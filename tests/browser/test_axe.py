"""axe-core (vendored from npm into static/vendor/axe-core) finds no violation on any
page type: one page of each template, as the role that uses it, on the demo data of
`flask seed-demo`. The script is loaded from the app itself, so the page's CSP holds."""
import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from tests.browser.test_sitting import _login
from tests.factories import PASSWORD
from voting.extensions import db

pytestmark = pytest.mark.browser

AXE = "/static/vendor/axe-core/axe.min.js"
RUN_AXE = """async () => {
  const result = await axe.run(document, {resultTypes: ['violations']});
  return result.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' + (n.failureSummary || '').split('\\n').slice(0, 2).join(' '))}));
}"""


def seeded(app) -> dict:
    """The demo, plus what its pages need: ids, a deputy's card, the hall screen's token."""
    from voting.appraisals.models import AppraisalCampaign, AppraisalItem, Rereport
    from voting.ballots.models import Ballot
    from voting.collection.models import Candidate, DeputyCode, LiaisonStation, Proposal
    from voting.demo import MAIN_MEETING, seed_demo
    from voting.live.screen import rotate_screen_token
    from voting.meetings.models import Meeting
    from voting.meetings.services import issue_card
    from voting.tracking.models import LivelihoodProject

    with app.app_context():
        seed_demo(PASSWORD)
        meeting = db.session.scalar(select(Meeting).where(Meeting.name == MAIN_MEETING))
        first = lambda model, *where: db.session.scalar(select(model).where(*where).order_by(model.id).limit(1))  # noqa: E731
        ballot = first(Ballot, Ballot.meeting_id == meeting.id, Ballot.state == "published")
        found = {
            "mid": meeting.id, "bid": ballot.id,
            "cid": first(AppraisalCampaign).id, "iid": first(AppraisalItem).id,
            "proposal": first(Proposal).id, "station": first(LiaisonStation),
            "deputy_code": first(DeputyCode), "project": first(LivelihoodProject).id,
            "rereport": first(Rereport), "candidate": first(Candidate),
        }
        found["station_id"], found["station_code"] = found["station"].id, found["station"].code
        found["deputy_code"] = found["deputy_code"].code if found["deputy_code"] else None
        found["rereport"] = found["rereport"].id if found["rereport"] else None
        found["candidate"] = found["candidate"].id if found["candidate"] else None
        found["card"] = issue_card(meeting.deputies[0], actor="test")  # checked in by the demo
        from voting.ballots import services as ballots

        motion = ballots.create_ballot(meeting, kind="motion", title="关于民生实事项目计划的决议（草案）",
                                       items=[{"title": "表决通过决议草案"}], actor="test")
        ballots.open_ballot(motion, actor="test")  # the tablet shows its ballot screen
        found["screen"] = rotate_screen_token(meeting)
        db.session.commit()
        db.session.remove()
    return found


def pages(ids: dict) -> dict[str, list[str]]:
    mid, bid = ids["mid"], ids["bid"]
    staff = [
        "/dashboard", "/meetings", f"/meetings/{mid}", f"/meetings/{mid}/roster", f"/meetings/{mid}/checkin",
        f"/meetings/{mid}/leader", f"/meetings/{mid}/ballots/new", f"/meetings/{mid}/cards", f"/tellers/{mid}",
        f"/ballots/{bid}", f"/sheets/{bid}", "/sheets", f"/verify/{bid}",
        "/collection/", "/collection/proposals", f"/collection/proposals/{ids['proposal']}", "/collection/proposals/new",
        "/collection/candidates", "/collection/candidates/ballot", "/collection/stats", "/collection/stations",
        f"/collection/stations/{ids['station_id']}/edit", f"/collection/stations/{ids['station_id']}/poster",
        "/tracking/", "/tracking/board", "/tracking/projects", f"/tracking/projects/{ids['project']}",
        f"/tracking/projects/{ids['project']}/edit", "/tracking/generate",
        "/appraisals", f"/appraisals/{ids['cid']}", f"/appraisals/{ids['cid']}/ranking", "/appraisals/new",
        f"/appraisals/items/{ids['iid']}", "/appraisals/officials", "/appraisals/comments", "/appraisals/report",
        "/rollups",
    ]
    if ids["rereport"]:
        staff.append(f"/appraisals/rereports/{ids['rereport']}")
    if ids["candidate"]:
        staff.append(f"/collection/candidates/{ids['candidate']}/edit")
    public = ["/login", f"/collection/intake/{ids['station_code']}", "/collection/intake/query", "/tracking/public", "/tracking/public/lookup",
              f"/verify/{bid}", f"/screen/{mid}?token={ids['screen']}", "/no-such-page", f"/tellers/boards/{bid}"]
    if ids["deputy_code"]:
        public.append(f"/collection/intake/d/{ids['deputy_code']}")
    public.append(f"/tracking/public/{ids['project']}")
    return {
        "secretariat": staff,
        "leader": ["/dashboard", f"/meetings/{mid}/leader", "/appraisals/report", "/rollups"],
        "teller": ["/dashboard", f"/sheets/{bid}/paper", f"/tellers/{mid}"],
        "admin": ["/dashboard", "/admin/users", "/admin/bodies"],
        "department": ["/dashboard", "/appraisals/rereports", "/tracking/projects"],
        "city-leader": ["/rollups"],
        None: public,
    }


def violations_of(page) -> list[dict]:
    page.add_script_tag(url=AXE)
    return page.evaluate(RUN_AXE)


def test_axe_finds_no_violation_on_any_page_type(contexts, live_server):
    ids = seeded(live_server.app)
    found = {}
    for role, paths in pages(ids).items():
        context = contexts(viewport={"width": 1280, "height": 800})
        page = _login(context, role) if role else context.new_page()
        for path in paths:
            page.goto(path)
            page.wait_for_load_state("load")
            problems = violations_of(page)
            if problems:
                found[f"{role or 'public'} {path}"] = problems
        if role == "secretariat":  # the printed cards: the answer to a POST (a second deputy's card)
            page.goto(f"/meetings/{ids['mid']}/roster")
            page.on("dialog", lambda dialog: dialog.accept())
            page.locator("#roster-table tbody tr").nth(1).locator("button", has_text="补发登录卡").click()
            expect(page.locator("h1")).to_have_text("登录卡")
            if (problems := violations_of(page)):
                found["secretariat cards"] = problems
        context.close()
    deputy = contexts(viewport={"width": 1280, "height": 800})
    tablet = deputy.new_page()
    tablet.goto(f"/card/{ids['card']}")
    expect(tablet).to_have_url(re.compile(r"/tablet$"))
    expect(tablet.locator("#screen-ballot")).to_be_visible()  # the open motion, shown by itself
    if (problems := violations_of(tablet)):
        found["deputy /tablet (ballot)"] = problems
    tablet.click("#ballot-items > li:nth-child(1) [data-choice=yes]")
    tablet.click("#to-review")
    expect(tablet.locator("#screen-review")).to_be_visible()
    if (problems := violations_of(tablet)):
        found["deputy /tablet (review)"] = problems
    # axe really runs: a page with a table header left empty and an image without text fails
    tablet.evaluate("""() => { const t = document.createElement('table');
      t.innerHTML = '<thead><tr><th></th><th>名称</th></tr></thead><tbody><tr><td>1</td><td>甲</td></tr></tbody>';
      document.querySelector('main').appendChild(t);
      const i = document.createElement('img'); i.src = '/favicon.ico';
      document.querySelector('main').appendChild(i); }""")
    planted = {v["id"] for v in tablet.evaluate(RUN_AXE)}
    assert {"empty-table-header", "image-alt"} <= planted, planted
    report = "\n".join(f"{where}: {v['id']} ({v['impact']}) {v['help']} -> {v['nodes']}"
                       for where, problems in found.items() for v in problems)
    assert not found, f"{len(found)} pages with axe violations:\n{report}"
