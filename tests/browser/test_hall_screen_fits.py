"""The hall screen fits the hall (issue #20): a result of 12 or 40 items at 1920×1080
and at 1280×720 shows every row, page after page, each page wholly on screen; the
meeting's display policy decides whether a closed ballot's result appears before 公布."""
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.ballots.sitting import Sitting
from tests.browser.conftest import serving
from tests.factories import ApiClient, gen_body, gen_user
from voting.extensions import db
from voting.live.screen import rotate_screen_token
from voting.meetings.models import Meeting

pytestmark = pytest.mark.browser

TURN = 1  # seconds per page in these tests (HALL_PAGE_SECONDS)


@pytest.fixture
def live_server(make_app):
    """As tests/browser/conftest.py's, with pages that turn every second."""
    with serving(make_app(WTF_CSRF_ENABLED=True, HALL_PAGE_SECONDS=TURN)) as served:
        yield served


def closed_result(app, items: int, policy: str = "close") -> SimpleNamespace:
    """A closed selection ballot of `items` items and the hall screen's address."""
    with app.app_context():
        body = gen_body("青山县人大常委会")
        staff = {"secretariat": gen_user("secretariat", body)}
        api = ApiClient(app.test_client())
        s = Sitting(api, staff, size=3, results_shown=policy)
        s.check_in([0, 1, 2])
        seats = min(items - 1, 10)
        ballot = s.ballot(items=items, seats=seats)
        s.act(ballot["id"], "open")
        ids = [item["id"] for item in ballot["items"]]
        for deputy in range(3):
            assert s.vote(deputy, ballot["id"], {i: "yes" for i in ids[deputy:deputy + min(seats, 5)]}).status_code == 201
        s.act(ballot["id"], "close")
        token = rotate_screen_token(db.session.get(Meeting, int(s.mid)))
        titles = [item["title"] for item in ballot["items"]]
        db.session.remove()
    return SimpleNamespace(sitting=s, ballot=ballot, titles=titles, url=f"/screen/{s.mid}?token={token}")


VISIBLE_ROWS = """() => Array.from(document.querySelectorAll('#hall table.results tbody tr'))
  .filter(row => !row.hidden && row.offsetParent !== null)
  .map(row => { const box = row.getBoundingClientRect();
                return {title: row.cells[0].textContent.trim(), top: box.top, bottom: box.bottom}; })"""


def every_row_seen(page, titles: list[str], height: int) -> int:
    """Wait on each page turn (the table's data-page) and read the rows it shows; every
    row shown lies wholly inside the viewport. Returns the number of pages."""
    table = page.locator("#hall table.results")
    expect(table).to_have_attribute("data-pages", str(table.get_attribute("data-pages")))
    pages = int(table.get_attribute("data-pages"))
    seen = []
    first = int(table.get_attribute("data-page"))
    for step in range(pages):
        number = (first - 1 + step) % pages + 1
        expect(table).to_have_attribute("data-page", str(number), timeout=(TURN * 3 + 5) * 1000)
        rows = page.evaluate(VISIBLE_ROWS)
        assert rows, f"page {number} shows nothing"
        for row in rows:
            assert 0 <= row["top"] and row["bottom"] <= height, (number, row)
        seen += [row["title"] for row in rows]
    assert sorted(seen) == sorted(titles), "every row once"
    return pages


@pytest.mark.parametrize("items", [12, 40])
@pytest.mark.parametrize("width, height", [(1920, 1080), (1280, 720)])
def test_every_row_of_a_long_result_appears(contexts, live_server, items, width, height):
    result = closed_result(live_server.app, items)
    page = contexts(viewport={"width": width, "height": height}).new_page()
    page.goto(result.url)
    expect(page.locator("#hall h2")).to_contain_text("表决结果")
    pages = every_row_seen(page, result.titles, height)
    if items == 40:
        assert pages > 1  # 40 rows readable from the back of the hall need more than one screen
        expect(page.locator("[data-hall-pager]")).to_contain_text(f"/ {pages} 页")
    # the text stays large: a row is at least 2.5% of the screen's height
    row_height = page.evaluate("() => document.querySelector('#hall table.results tbody tr:not([hidden])')"
                               ".getBoundingClientRect().height")
    assert row_height >= height * 0.025


def test_a_short_result_is_one_page(contexts, live_server):
    result = closed_result(live_server.app, 3)
    page = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(result.url)
    table = page.locator("#hall table.results")
    expect(table).to_have_attribute("data-pages", "1")
    assert len(page.evaluate(VISIBLE_ROWS)) == 3
    expect(page.locator("[data-hall-pager]")).to_have_text("")


def test_results_wait_for_publish_where_the_meeting_says_so(contexts, live_server):
    result = closed_result(live_server.app, 12, policy="publish")
    page = contexts(viewport={"width": 1920, "height": 1080}).new_page()
    page.goto(result.url)
    expect(page.locator("#hall-awaiting")).to_have_text("表决已结束，结果将在公布后显示。")
    assert page.locator("#hall table.results").count() == 0
    with live_server.app.app_context():
        result.sitting.act(result.ballot["id"], "publish")
        db.session.remove()
    # live.js brings the result as soon as it is published
    expect(page.locator("#hall h2")).to_contain_text("表决结果", timeout=15000)
    every_row_seen(page, result.titles, 1080)
