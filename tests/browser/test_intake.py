"""From the station poster to a tracked proposal, on a phone: the QR code as the poster
shows it decodes to the intake page, a member of the public fills the form with a thumb,
gets a 查询码, and looks it up; the tracking page shows the status and never the
contact. Staff typing on their entry form see similar existing proposals."""
# rename_endpoints: keep (API.md: a station's QR code opens /collect/<code>)
import io
import re

import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import expect

from tests.browser.test_sitting import _login, _read
from tests.factories import gen_body, gen_user
from voting.collection import services
from voting.collection.models import Proposal
from voting.extensions import db

pytestmark = pytest.mark.browser

TRACKING = re.compile(r"^MS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}$")
PHONE = {"viewport": {"width": 390, "height": 844}, "device_scale_factor": 3, "is_mobile": True, "has_touch": True,
         "user_agent": "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                       "Chrome/126.0 Mobile Safari/537.36"}
CONTACT = "13912345678"
TITLE = "东湖镇新建公办幼儿园"


def _county(app) -> tuple[str, int]:
    """A county with one liaison station; the secretariat's user name and the station id."""
    with app.app_context():
        body = gen_body("青山县人大常委会")
        username = gen_user("secretariat", body).username
        station = services.create_station(body.id, {"code": "DH-01", "name": "东湖镇代表联络站", "township": "东湖镇",
                                                    "address": "东湖镇人民路1号"}, actor="test")
        station_id = station.id
        db.session.remove()
    return username, station_id


def _decode(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, "exactly one QR code expected on the poster"
    return results[0].text


def test_from_the_station_poster_to_a_tracked_proposal_on_a_phone(live_server, contexts):
    username, station_id = _county(live_server.app)

    # The secretariat opens the poster; the QR code is read from the page as printed.
    desk = _login(contexts(viewport={"width": 1280, "height": 900}), username)
    desk.goto(f"/collection/stations/{station_id}/poster")
    qr = desk.locator("img.poster-qr")
    expect(qr).to_be_visible()
    desk.wait_for_function("document.querySelector('img.poster-qr').complete")
    url = _decode(qr.screenshot())
    assert url == f"{live_server.url}/collect/DH-01"  # API.md: the QR code opens /collect/<code>

    # A phone opens the URL from the code: no login, the form fits the screen.
    phone = contexts(**PHONE).new_page()
    phone.goto(url)
    expect(phone.locator("h1")).to_have_text("民生实事项目建议征集")
    expect(phone.locator(".intake-where")).to_contain_text("东湖镇代表联络站")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390

    phone.locator("#f-title").tap()
    phone.locator("#f-title").fill(TITLE)
    phone.locator("#f-description").fill("东湖镇新建小区多，适龄幼儿入园难，希望新建一所公办幼儿园。")
    phone.locator("#f-category").select_option("教育")
    expect(phone.locator("#f-township")).to_have_value("东湖镇")  # the station's township, prefilled
    phone.locator("#f-location").fill("东湖镇人民路与河西街交叉口")
    phone.locator("#f-contact").fill(CONTACT)
    phone.locator("#intake-form button[type=submit]").tap()

    expect(phone.locator("h1")).to_have_text("建议已提交，谢谢您！")
    code = phone.locator("#tracking-code").inner_text().strip()
    assert TRACKING.match(code), code
    # one line on the phone, inside the screen (#20: it used to break at its hyphens)
    lines = phone.evaluate("""() => { const range = document.createRange();
        range.selectNodeContents(document.getElementById('tracking-code'));
        return new Set(Array.from(range.getClientRects()).map(r => Math.round(r.top))).size; }""")
    box = phone.locator("#tracking-code").bounding_box()
    assert lines == 1 and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["viewport"]["width"]

    stored = _read(live_server.app, lambda: db.session.query(Proposal).filter_by(tracking_code=code).one())
    assert (stored.title, stored.category, stored.township, stored.contact, stored.station_id) == (
        TITLE, "教育", "东湖镇", CONTACT, station_id)

    # Later, on the look-up page: type the code, see the status; the contact is never there.
    phone.goto("/collection/intake/query")
    phone.locator("#f-code").fill(code)
    phone.get_by_role("button", name="查询").tap()
    result = phone.get_by_role("region", name="办理情况")
    expect(result).to_be_visible()
    expect(result.locator("h2")).to_have_text(TITLE)
    expect(result.locator(".badge")).to_have_text("待审")
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    assert CONTACT not in phone.content()
    assert CONTACT not in phone.locator("body").inner_text()

    assert contexts.foreign_requests() == []


def test_staff_see_similar_proposals_while_typing(live_server, contexts):
    username, station_id = _county(live_server.app)
    with live_server.app.app_context():
        station = services.station_by_code("DH-01")
        services.submit_proposal({"title": TITLE, "description": "东湖镇新建小区多，适龄幼儿入园难，希望新建一所公办幼儿园。",
                                  "category": "教育", "contact": CONTACT}, body_id=station.body_id, station=station)
        services.submit_proposal({"title": "修缮北河镇文化广场", "description": "北河镇文化广场地砖破损，路灯不亮，希望修缮。",
                                  "category": "文化体育"}, body_id=station.body_id, station=station)
        db.session.remove()

    page = _login(contexts(viewport={"width": 1280, "height": 900}), username)
    page.goto("/collection/proposals/new")
    box = page.locator("#similar-box")
    expect(box).to_be_hidden()
    page.locator("#f-title").press_sequentially("东湖新建幼儿园")
    expect(box).to_be_visible()
    expect(page.locator("#similar-list li")).to_have_text([TITLE])
    assert CONTACT not in page.content()

    page.locator("#f-title").fill("")
    page.locator("#f-title").press_sequentially("城区停车难")
    expect(box).to_be_hidden()
    assert contexts.foreign_requests() == []
