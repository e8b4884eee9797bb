"""The sheet page and the tally files: who may read them, when, and what they carry
beyond the figures (QR code to /verify, the signature's fingerprint, the chart)."""
import io
import re

import pytest
import zxingcpp
from PIL import Image
from pypdf import PdfReader

from tests.factories import assert_refused, decode_svg_qr as decode_card_svg, gen_body, gen_user, login
from tests.sheets.mixed import MixedSitting, closed_ballot, closed_selection
from voting.integrity import keys

FILES = ("csv", "xlsx", "pdf")


@pytest.fixture
def closed(api, staff):
    s, bid, ids = closed_selection(api, staff)
    return s, bid


def decode_png(png: bytes) -> str:
    results = zxingcpp.read_barcodes(Image.open(io.BytesIO(png)).convert("L"))
    assert len(results) == 1, "exactly one QR code expected"
    return results[0].text


def decode_svg_qr(html: str) -> str:
    """The page's inline QR code (voting.qr.qr_svg, the same as the login cards'), decoded."""
    svg = re.search(r'<svg[^>]*class="qr".*?</svg>', html, re.S)
    assert svg, "no inline QR code"
    return decode_card_svg(svg.group(0))


def test_staff_of_the_body_read_the_sheet_page(app, staff, closed):
    s, bid = closed
    for role in ("secretariat", "teller", "leader", "admin"):
        page = login(app.test_client(), staff[role]).get(f"/sheets/{bid}")
        assert page.status_code == 200, role
    for role in ("station", "department"):
        assert login(app.test_client(), staff[role]).get(f"/sheets/{bid}").status_code == 403, role
    anonymous = app.test_client().get(f"/sheets/{bid}")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_parent_body_leaders_read_and_other_bodies_do_not_see(app, body, closed):
    s, bid = closed
    city = gen_body("市人大常委会", level="city")
    body.parent_id = city.id
    from voting.extensions import db

    db.session.commit()
    assert login(app.test_client(), gen_user("leader", city)).get(f"/sheets/{bid}").status_code == 200
    assert login(app.test_client(), gen_user("teller", city)).get(f"/sheets/{bid}").status_code == 404
    other = gen_body("白水县人大常委会")
    for role in ("leader", "secretariat", "teller"):
        assert login(app.test_client(), gen_user(role, other)).get(f"/sheets/{bid}").status_code == 404


@pytest.mark.parametrize("policy", ["publish", "close"])
def test_deputies_read_the_sheet_as_the_meeting_shows_results(app, api, closed, policy):
    """Only after publish where the meeting says so; at close where it shows results at close."""
    from voting.extensions import db
    from voting.meetings.models import Meeting

    s, bid = closed
    db.session.get(Meeting, int(s.mid)).results_shown = policy
    db.session.commit()
    if policy == "close":
        deputy = app.test_client()
        assert deputy.get(f"/card/{s.deputies[0]['card']}").status_code == 302
        assert deputy.get(f"/sheets/{bid}").status_code == 200
        for extension in FILES:
            assert api.get(f"/api/v1/ballots/{bid}/tally.{extension}", s.token(0)).status_code == 200
        return
    deputy = app.test_client()
    assert deputy.get(f"/card/{s.deputies[0]['card']}").status_code == 302
    assert deputy.get(f"/sheets/{bid}").status_code == 403
    for extension in FILES:
        refused = api.get(f"/api/v1/ballots/{bid}/tally.{extension}", s.token(0))
        assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "forbidden"
    s.act(bid, "publish")
    assert deputy.get(f"/sheets/{bid}").status_code == 200
    for extension in FILES:
        assert api.get(f"/api/v1/ballots/{bid}/tally.{extension}", s.token(0)).status_code == 200


def test_no_sheet_before_close(app, api, staff):
    s = MixedSitting(api, staff, size=3)
    s.check_in(range(3))
    bid = s.ballot(items=2, seats=1)["id"]
    leader = login(app.test_client(), staff["leader"])
    for state in ("draft", "open"):
        page = leader.get(f"/sheets/{bid}")
        assert page.status_code == 409 and "暂无结果" in page.get_data(as_text=True)
        for extension in FILES:
            refused = api.get(f"/api/v1/ballots/{bid}/tally.{extension}", s.teller)
            assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "results_not_available"
        if state == "draft":
            s.act(bid, "open")


def test_files_need_a_reader(app, api, staff, closed):
    s, bid = closed
    for extension in FILES:
        assert_refused(api.get(f"/api/v1/ballots/{bid}/tally.{extension}"), 401, "unauthorized")
        station = api.get(f"/api/v1/ballots/{bid}/tally.{extension}", api.token(staff["station"].username))
        assert_refused(station, 403, "forbidden")
        assert_refused(api.get(f"/api/v1/ballots/99999/tally.{extension}", s.teller), 404, "not_found")
        assert_refused(api.get(f"/api/v1/ballots/x1/tally.{extension}", s.teller), 404, "not_found")
    other = gen_user("leader", gen_body("白水县人大常委会"))
    assert_refused(api.get(f"/api/v1/ballots/{bid}/tally.pdf", api.token(other.username)), 404, "not_found")
    response = api.get(f"/api/v1/ballots/{bid}/tally.xlsx", s.secretariat)
    assert response.headers["Content-Disposition"] == f'attachment; filename="tally-{bid}.xlsx"'


def test_page_links_the_files_and_the_verify_page(app, staff, closed):
    s, bid = closed
    html = login(app.test_client(), staff["teller"]).get(f"/sheets/{bid}").get_data(as_text=True)
    for extension in FILES:
        assert f'href="/api/v1/ballots/{bid}/tally.{extension}"' in html
    assert f'href="/verify/{bid}"' in html
    assert "<script" not in html.replace('<script src="/static/js/sheets.js"></script>', "")


def test_qr_code_opens_the_verify_page(app, staff, closed):
    s, bid = closed
    html = app.test_client().get(f"/sheets/{bid}", base_url="http://hall.local:8000",
                                 headers={"Authorization": f"Bearer {s.teller}"})
    text = decode_svg_qr(html.get_data(as_text=True))
    assert text == f"http://hall.local:8000/verify/{bid}"
    pdf = PdfReader(io.BytesIO(login(app.test_client(), staff["leader"]).get(f"/api/v1/ballots/{bid}/tally.pdf").data))
    images = pdf.pages[0].images
    assert len(images) == 1
    assert decode_png(images[0].data if images[0].name.endswith(".png") else _as_png(images[0].image)) \
        == f"http://localhost/verify/{bid}"


def _as_png(image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def test_qr_code_uses_the_public_base_url(make_app, api, staff, closed):
    s, bid = closed
    app = make_app(PUBLIC_BASE_URL="https://minsheng.example.gov.cn/")
    with app.app_context():
        client, bearer = app.test_client(), {"Authorization": f"Bearer {s.teller}"}
        html = client.get(f"/sheets/{bid}", base_url="http://internal:5000", headers=bearer)
        assert decode_svg_qr(html.get_data(as_text=True)) == f"https://minsheng.example.gov.cn/verify/{bid}"
        csv_text = client.get(f"/api/v1/ballots/{bid}/tally.csv", headers=bearer).data.decode("utf-8-sig")
        assert f"核验网址,https://minsheng.example.gov.cn/verify/{bid}" in csv_text


def test_fingerprint_and_signature_are_shown(app, staff, closed):
    s, bid = closed
    sheet = s.tally(bid).get_json()
    fingerprint = keys.fingerprint(sheet["signature"]["public_key"])
    assert re.fullmatch(r"([0-9A-F]{4} ){7}[0-9A-F]{4}", fingerprint)
    client = login(app.test_client(), staff["leader"])
    html = client.get(f"/sheets/{bid}").get_data(as_text=True)
    assert f'<code data-field="fingerprint">{fingerprint}</code>' in html
    assert 'data-signature="failed"' not in html
    csv_text = client.get(f"/api/v1/ballots/{bid}/tally.csv").data.decode("utf-8-sig")
    assert f"签名公钥指纹,{fingerprint}" in csv_text and sheet["signature"]["value"] in csv_text


def test_selection_chart_shows_yes_votes_per_item(app, staff, closed):
    s, bid = closed
    sheet = s.tally(bid).get_json()
    html = login(app.test_client(), staff["leader"]).get(f"/sheets/{bid}").get_data(as_text=True)
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    for item in sheet["items"]:
        assert f"{item['title']}：赞成 {item['counts']['yes']} 票" in chart


def test_appraisal_chart_stacks_the_options(app, api, staff):
    s, bid, ids = closed_ballot(api, staff, "appraisal", [{0: "satisfied", 1: "unsatisfied"},
                                                          {0: "basically_satisfied", 1: "unsatisfied"},
                                                          {0: "satisfied", 1: "satisfied"}])
    html = login(app.test_client(), staff["leader"]).get(f"/sheets/{bid}").get_data(as_text=True)
    chart = re.search(r'<svg class="chart".*?</svg>', html, re.S).group(0)
    assert "各项测评意见分布" in chart
    assert "项目1：满意 2，基本满意 1，不满意 0，弃权 0" in chart
    assert "项目2：满意 1，基本满意 0，不满意 2，弃权 0" in chart
    assert "<title>满意 2（66.67%）</title>" in chart and "<title>不满意 2（66.67%）</title>" in chart
    assert "<title>基本满意 1（33.33%）</title>" in chart


def test_index_lists_sheets_and_paper_entry(app, staff, closed):
    s, bid = closed
    html = login(app.test_client(), staff["teller"]).get("/sheets").get_data(as_text=True)
    assert f'href="/sheets/{bid}"' in html and f'href="/sheets/{bid}/paper"' in html
    leader = login(app.test_client(), staff["leader"]).get("/sheets").get_data(as_text=True)
    assert f'href="/sheets/{bid}"' in leader and "/paper" not in leader
    dashboard = login(app.test_client(), staff["teller"]).get("/dashboard").get_data(as_text=True)
    assert 'href="/sheets"' in dashboard
