"""Public intake: the page, the API, and bad input that must store nothing."""
import io
import re

import pytest

from tests.factories import assert_refused
from tests.collection.conftest import GOOD, big_png, counts, image_bytes, submit, uploaded_files
from voting.collection import services
from voting.collection.models import Proposal, ProposalEvent
from voting.extensions import db
from voting.integrity.models import AuditEntry

TRACKING = re.compile(r"MS-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}")


def post_form(client, code="DH-01", photos=(), **fields):
    data = {**GOOD, **fields}
    if photos:
        data["photos"] = [(io.BytesIO(raw), name) for name, raw in photos]
    return client.post(f"/collection/intake/{code}", data=data, content_type="multipart/form-data")


def test_intake_page_opens_without_login(client, station):
    response = client.get("/collection/intake/dh-01")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "东湖镇代表联络站" in page and 'name="website"' in page and "查询码" in page


def test_unknown_station_is_404(client, station):
    assert client.get("/collection/intake/NOPE-99").status_code == 404
    assert client.post("/collection/intake/NOPE-99", data=GOOD).status_code == 404


def test_submission_from_the_page_gives_a_tracking_code(app, client, station):
    response = post_form(client, photos=[("a.png", image_bytes("PNG")), ("b.jpg", image_bytes("JPEG"))])
    assert response.status_code == 302
    done = client.get(response.location).get_data(as_text=True)
    code = TRACKING.search(done).group(0)
    proposal = services.find_by_tracking_code(code)
    assert proposal.title == GOOD["title"] and proposal.station_id == station.id
    assert proposal.township == "东湖镇" and proposal.source == "public" and proposal.status == "pending"
    assert [p.content_type for p in proposal.photos] == ["image/png", "image/jpeg"]
    assert all(services.photo_path(p).is_file() for p in proposal.photos)
    assert db.session.query(ProposalEvent).filter_by(proposal_id=proposal.id, action="submitted").count() == 1
    assert db.session.query(AuditEntry).filter_by(action="proposal_submitted").count() == 1


def test_tracking_codes_are_unambiguous_and_normalised(app, station):
    proposal = submit(station)
    assert TRACKING.fullmatch(proposal.tracking_code)
    assert not set(proposal.tracking_code[3:].replace("-", "")) & set("01ILO")
    sloppy = " " + proposal.tracking_code.lower().replace("-", "") + " "
    assert services.find_by_tracking_code(sloppy).id == proposal.id


LONG_TITLE = "长" * 61
LONG_TEXT = "长" * 2001


@pytest.mark.parametrize("fields, field, words", [
    ({"title": "", "description": "", "category": ""}, "title", "请填写“标题”"),
    ({"title": "   "}, "title", "请填写“标题”"),
    ({"title": "幼儿园"}, "title", "至少需要 4 个字"),
    ({"title": LONG_TITLE}, "title", "不能超过 60 个字"),
    ({"description": "太短了"}, "description", "至少需要 10 个字"),
    ({"description": LONG_TEXT}, "description", "不能超过 2000 个字"),
    ({"category": "外星"}, "category", "请从列表中选择类别"),
    ({"title": "标题\x07带控制符号"}, "title", "控制字符"),
    ({"title": "标题\u202e反向文字覆盖"}, "title", "控制字符"),
    ({"contact": "1" * 101}, "contact", "不能超过 100 个字"),
])
def test_bad_fields_are_refused_with_a_message_and_store_nothing(app, client, station, fields, field, words):
    before_files = uploaded_files(app)
    response = post_form(client, photos=[("ok.png", image_bytes())], **fields)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert words in page
    assert counts() == (0, 0) and uploaded_files(app) == before_files
    # the same through the API
    api_response = client.post("/api/v1/proposals", json={"station": "DH-01", **GOOD, **fields})
    assert_refused(api_response, 400, "invalid_proposal")
    assert words in api_response.get_json()["error"]["message"]
    assert counts() == (0, 0)


def test_oversized_photo_is_refused(app, client, station):
    before = uploaded_files(app)
    response = post_form(client, photos=[("ok.png", image_bytes()), ("big.png", big_png(5 * 1024 * 1024 + 1))])
    assert response.status_code == 400
    assert "超过 5 MB" in response.get_data(as_text=True)
    assert counts() == (0, 0) and uploaded_files(app) == before


@pytest.mark.parametrize("name, raw", [
    ("fake.jpg", b"\xff\xd8\xff\xe0 this is not really a jpeg " * 10),
    ("script.png", b"<script>alert(1)</script>"),
    ("anim.gif", b"GIF89a" + b"\x00" * 64),
    ("empty.png", b""),
])
def test_fake_or_unsupported_image_is_refused(app, client, station, name, raw):
    before = uploaded_files(app)
    response = post_form(client, photos=[(name, raw)])
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "不是有效的 JPG 或 PNG 图片" in page or "空文件" in page
    assert counts() == (0, 0) and uploaded_files(app) == before


def test_real_gif_is_refused_even_with_a_jpg_name(app, client, station):
    response = post_form(client, photos=[("photo.jpg", image_bytes("GIF"))])
    assert response.status_code == 400 and counts() == (0, 0)


def test_too_many_photos(app, client, station):
    photos = [(f"{i}.png", image_bytes()) for i in range(services.MAX_PHOTOS + 1)]
    response = post_form(client, photos=photos)
    assert response.status_code == 400 and "最多上传" in response.get_data(as_text=True)
    assert counts() == (0, 0)


def test_filled_honeypot_is_refused_neutrally(app, client, station):
    response = post_form(client, website="http://spam.example")
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and "提交未成功" in page
    assert "website" not in page.split("提交未成功")[1][:40]  # no hint about why
    assert counts() == (0, 0)
    api_response = client.post("/api/v1/proposals", json={"station": "DH-01", **GOOD, "website": "x"})
    assert api_response.status_code == 400 and api_response.get_json()["error"]["code"] == "submission_refused"
    assert counts() == (0, 0)


def test_script_tag_is_stored_as_text_and_always_shown_escaped(app, client, station, secretariat_client):
    evil = "<script>alert('x')</script>修路"
    # refused input is echoed back escaped too
    refused = post_form(client, title=evil, description="短")
    assert refused.status_code == 400
    assert "<script>alert" not in refused.get_data(as_text=True)
    assert "&lt;script&gt;" in refused.get_data(as_text=True)

    response = post_form(client, title=evil, description=evil + "，请尽快修好这条路。")
    assert response.status_code == 302
    proposal = db.session.query(Proposal).one()
    assert proposal.title == evil  # stored exactly as typed
    pages = [
        client.get(f"/collection/intake/query?code={proposal.tracking_code}"),
        secretariat_client.get(f"/collection/proposals/{proposal.id}"),
        secretariat_client.get("/collection/proposals"),
    ]
    for page in pages:
        text = page.get_data(as_text=True)
        assert page.status_code == 200
        assert "<script>alert" not in text
        assert "&lt;script&gt;alert" in text
    similar = client.get("/collection/intake/DH-01/similar?q=" + evil)
    assert similar.is_json  # JSON, never HTML; the page's script inserts it as text


def test_api_submission_and_lookup(client, station):
    response = client.post("/api/v1/proposals", json={"station": "dh-01", **GOOD})
    assert response.status_code == 201
    code = response.get_json()["tracking_code"]
    assert set(response.get_json()) == {"tracking_code"}
    status = client.get(f"/api/v1/proposals/{code}")
    assert status.status_code == 200
    data = status.get_json()
    assert data["title"] == GOOD["title"] and data["status"] == "pending" and data["status_text"] == "待审"
    assert data["reply"] == ""
    assert_refused(client.get("/api/v1/proposals/MS-2222-2222"), 404, "not_found")
    assert_refused(client.get("/api/v1/proposals/garbage"), 404, "not_found")


@pytest.mark.parametrize("payload, status, code", [
    ({**GOOD}, 400, "bad_request"),
    ({"station": "", **GOOD}, 400, "bad_request"),
    ({"station": "NOPE", **GOOD}, 404, "station_not_found"),
    ({"station": 5, **GOOD}, 400, "bad_request"),
    ({"station": "DH-01", **GOOD, "title": 12345}, 400, "invalid_proposal"),
    ({"station": "DH-01", **GOOD, "deputy_code": "NOPE"}, 404, "deputy_code_not_found"),
])
def test_api_bad_requests(client, station, payload, status, code):
    response = client.post("/api/v1/proposals", json=payload)
    assert response.status_code == status
    assert response.get_json()["error"]["code"] == code
    assert counts() == (0, 0)


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1]"])
def test_api_malformed_body(client, station, raw):
    response = client.post("/api/v1/proposals", data=raw, content_type="application/json")
    assert response.status_code == 400 and counts() == (0, 0)


def test_deputy_code_tags_the_proposal(app, client, station):
    entry = services.create_deputy_code(station.body_id, {"code": "D-WANG", "deputy_name": "王建国",
                                                          "station_id": str(station.id)}, actor="test")
    page = client.get("/collection/intake/d/d-wang")
    assert page.status_code == 200 and "王建国代表" in page.get_data(as_text=True)
    response = client.post("/collection/intake/d/D-WANG", data=GOOD)
    assert response.status_code == 302
    proposal = db.session.query(Proposal).one()
    assert proposal.deputy_code_id == entry.id and proposal.source == "deputy"
    assert proposal.station_id == station.id and proposal.proposer == "王建国代表"
    api_response = client.post("/api/v1/proposals", json={"deputy_code": "D-WANG", **GOOD})
    assert api_response.status_code == 201
    assert client.get("/collection/intake/d/NOPE").status_code == 404


def test_similar_titles_while_typing(client, station):
    submit(station, title="东湖镇新建公办幼儿园", contact="13900000001")
    submit(station, title="修缮北河镇文化广场", description="北河镇文化广场地砖破损，路灯不亮，希望修缮。")
    response = client.get("/collection/intake/DH-01/similar?q=东湖新建幼儿园")
    assert response.status_code == 200
    data = response.get_json()
    assert data == {"similar": [{"title": "东湖镇新建公办幼儿园"}]}
    assert "1390000" not in response.get_data(as_text=True)
    assert client.get("/collection/intake/DH-01/similar?q=").get_json() == {"similar": []}


def test_staff_can_enter_a_proposal_for_a_deputy(app, secretariat_client, station):
    response = secretariat_client.post("/collection/proposals/new", data={
        **GOOD, "source": "deputy", "proposer": "李秀英代表", "station": "DH-01"})
    assert response.status_code == 302
    proposal = db.session.query(Proposal).one()
    assert proposal.source == "deputy" and proposal.proposer == "李秀英代表" and proposal.station_id == station.id
    refused = secretariat_client.post("/collection/proposals/new", data={**GOOD, "source": "public"})
    assert refused.status_code == 400 and db.session.query(Proposal).count() == 1
