"""Console forms and tables as the secretariat sees them at 1280 px (#20): the seats
field only for a selection, project names that keep their width in the candidate list,
and a tracking code never broken across lines."""
import pytest
from playwright.sync_api import expect

from tests.browser.test_sitting import _login
from tests.factories import gen_body, gen_user
from voting.collection import services as collection
from voting.collection.intake import submit_proposal
from voting.extensions import db
from voting.meetings import services as meetings

pytestmark = pytest.mark.browser

LONG_TITLE = "城区老旧小区改造及配套设施提升工程"


def _setup(app) -> tuple[str, int]:
    with app.app_context():
        body = gen_body("青山县人大常委会")
        username = gen_user("secretariat", body).username
        meeting = meetings.create_meeting(body.id, "青山县第十八届人民代表大会第六次会议", year=2026)
        proposals = [submit_proposal({"title": f"老旧小区加装电梯{n}", "category": "住房", "location": "城关镇",
                                      "description": "老旧小区没有电梯，老人上下楼困难，希望加装电梯。",
                                      "contact": "13912345678"}, body_id=body.id) for n in range(12)]
        for proposal in proposals:
            proposal.status = "shortlisted"  # 拟列为候选: what a candidate is made from
        db.session.flush()
        proposals = [proposal.id for proposal in proposals]
        for n in range(1, 4):
            collection.create_candidate(body.id, {
                "year": "2026", "title": f"{LONG_TITLE}{n}", "budget": "1200", "department": "县住房和城乡建设局",
                "description": "涉及 12 个小区，加装电梯、雨污分流、停车位改造。", "planned_completion": "2026-12-31"},
                actor="test", proposal_ids=proposals[(n - 1) * 4:n * 4])
        mid = meeting.id
        db.session.remove()
    return username, mid


def test_seats_only_for_a_selection(contexts, live_server):
    username, mid = _setup(live_server.app)
    page = _login(contexts(viewport={"width": 1280, "height": 800}), username)
    page.goto(f"/meetings/{mid}/ballots/new")
    page.check("input[name=kind][value=motion]")
    expect(page.locator("#f-seats")).to_be_hidden()
    page.check("input[name=kind][value=appraisal]")
    expect(page.locator("#f-seats")).to_be_hidden()
    page.check("input[name=kind][value=selection]")
    expect(page.locator("#f-seats")).to_be_visible()


def test_candidate_names_keep_their_width_at_1280(contexts, live_server):
    username, _ = _setup(live_server.app)
    page = _login(contexts(viewport={"width": 1280, "height": 800}), username)
    page.goto("/collection/candidates?year=2026")
    names = page.locator("td.name-cell strong")
    expect(names).to_have_count(3)
    for index in range(3):
        lines = names.nth(index).evaluate("""el => { const range = document.createRange(); range.selectNodeContents(el);
            return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; }""")
        assert lines <= 2, f"a project name over {lines} lines at 1280 px"

