"""The secretariat console through its forms: meetings, roster import, login cards,
check-in, scope and roles."""
import re

import pytest
from sqlalchemy import func, select

from tests.ballots.sitting import release_database
from tests.factories import (
    create_meeting, csv_file, decode_svg_qr, gen_body, gen_user, import_roster, login, xlsx_file,
)
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Attendance, Deputy, Meeting

pytestmark = pytest.mark.usefixtures("fresh_request_globals")  # see tests/conftest.py

CARD_URL = re.compile(r'data-card-url="([^"]+)"')


def test_dashboard_links_to_the_console(client, staff):
    login(client, staff["secretariat"])
    assert "/meetings" in client.get("/dashboard").get_data(as_text=True)
    login(client, staff["leader"])
    assert "会议实况" in client.get("/dashboard").get_data(as_text=True)


def test_create_meeting_and_list_it(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client, live_counts="1", quorum="1/2")
    meeting = db.session.get(Meeting, mid)
    assert meeting.live_counts and meeting.quorum == {"fraction": "1/2", "inclusive": False}
    page = client.get("/meetings").get_data(as_text=True)
    assert meeting.name in page and "新建会议" in page
    assert client.post("/meetings", data={"name": " "}).status_code == 400
    assert db.session.scalar(select(func.count(Meeting.id))) == 1


def test_leader_reads_but_cannot_act(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    import_roster(client, mid, 3)
    login(client, staff["leader"])
    page = client.get("/meetings").get_data(as_text=True)
    assert "新建会议" not in page
    assert "补发登录卡" not in client.get(f"/meetings/{mid}/roster").get_data(as_text=True)
    assert "标记出席" not in client.get(f"/meetings/{mid}/checkin").get_data(as_text=True)
    deputy = db.session.scalars(select(Deputy)).first()
    for path in ("/meetings", f"/meetings/{mid}/cards", f"/meetings/{mid}/checkin/{deputy.id}",
                 f"/meetings/{mid}/screen", f"/meetings/{mid}/ballots/new", f"/meetings/{mid}/close"):
        assert client.post(path, data={"name": "x", "confirm": "1"}).status_code == 403, path
    assert client.get(f"/meetings/{mid}/leader").status_code == 200


def test_other_bodies_see_nothing_and_parents_only_read(client, staff, body):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    import_roster(client, mid, 2)
    stranger = gen_user("secretariat", gen_body())
    login(client, stranger)
    for path in (f"/meetings/{mid}", f"/meetings/{mid}/roster", f"/meetings/{mid}/checkin", f"/meetings/{mid}/leader"):
        assert client.get(path).status_code == 404, path
    assert client.post(f"/meetings/{mid}/cards", data={"confirm": "1"}).status_code == 404
    child = gen_body(parent=body)
    login(client, gen_user("secretariat", child))
    child_mid = create_meeting(client, name="乡镇人大会议")
    login(client, staff["secretariat"])  # the parent body's secretariat
    assert client.get(f"/meetings/{child_mid}").status_code == 200
    assert client.post(f"/meetings/{child_mid}/cards", data={"confirm": "1"}).status_code == 403
    assert client.post(f"/meetings/{child_mid}/screen").status_code == 403


def test_csv_import_shows_the_cards_to_print(client, staff, make_app):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    response = import_roster(client, mid, 10)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    urls = CARD_URL.findall(html)
    assert len(urls) == 10 and len(set(urls)) == 10
    assert html.count('class="card-sheet"') == 2  # 8 cards on the first A4 page, 2 on the second
    assert html.count("<svg") == 10 and "代表001" in html and "第2代表团" in html
    svg = re.search(r'<div class="login-card-qr"[^>]*>(<svg.*?</svg>)', html).group(1)
    assert decode_svg_qr(svg) == urls[0]
    assert urls[0].startswith("http://localhost/card/")
    release_database()
    tablet = make_app().test_client()
    assert tablet.get(urls[0].replace("http://localhost", "")).status_code == 302
    assert db.session.scalar(select(func.count(Attendance.id))) == 1


def test_public_base_url_goes_into_the_cards(make_app, staff):
    client = make_app(PUBLIC_BASE_URL="http://192.168.10.2:8000").test_client()
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    urls = CARD_URL.findall(import_roster(client, mid, 1).get_data(as_text=True))
    assert urls[0].startswith("http://192.168.10.2:8000/card/")


def test_bad_roster_reports_every_row_and_imports_nothing(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    text = "姓名,代表团,编号\n张三,一团,001\n,一团,002\n李四,二团,001\n王五,二团,\n"
    response = client.post(f"/meetings/{mid}/roster", data={"file": csv_file(text)}, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "没有导入任何代表" in html
    for line in ("第 3 行", "第 4 行", "第 5 行"):
        assert line in html
    assert "第 2 行" not in html
    assert db.session.scalar(select(func.count(Deputy.id))) == 0


def test_xlsx_import_good_and_bad(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    bad = xlsx_file([["name", "delegation", "number"], ["甲", "一团", 1], [None, "一团", 2], ["乙", "一团", 1.0]])
    response = client.post(f"/meetings/{mid}/roster", data={"file": bad}, content_type="multipart/form-data")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "第 3 行" in html and "第 4 行" in html and "第 2 行" not in html
    assert db.session.scalar(select(func.count(Deputy.id))) == 0
    good = xlsx_file([["姓名", "代表团", "编号"], ["甲", "一团", 1], [None, None, None], ["乙", "二团", "002"]])
    response = client.post(f"/meetings/{mid}/roster", data={"file": good}, content_type="multipart/form-data")
    assert response.status_code == 200
    assert sorted(db.session.scalars(select(Deputy.number))) == ["002", "1"]


@pytest.mark.parametrize("upload, message", [
    ((b"", "x.csv"), "空的"),
    ((b"\xff\xfe\x00bad", "x.csv"), "UTF-8"),
    ((b"PK\x03\x04not a zip", "x.xlsx"), "无法读取 Excel"),
    ((b"name,number\n", "x.pdf"), "只支持"),
    ((b"who,what\nx,y\n", "x.csv"), "表头缺少列"),
])
def test_unreadable_files_are_refused_in_chinese(client, staff, upload, message):
    import io

    login(client, staff["secretariat"])
    mid = create_meeting(client)
    response = client.post(f"/meetings/{mid}/roster", data={"file": (io.BytesIO(upload[0]), upload[1])},
                           content_type="multipart/form-data")
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)


def test_printing_cards_needs_confirmation_and_revokes_old_cards(client, staff, make_app):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    old = CARD_URL.findall(import_roster(client, mid, 3).get_data(as_text=True))
    warning = client.get(f"/meetings/{mid}/cards").get_data(as_text=True)
    assert "作废" in warning and 'name="confirm"' in warning
    refused = client.post(f"/meetings/{mid}/cards", data={})
    assert refused.status_code == 400 and "请勾选确认" in refused.get_data(as_text=True)
    assert all(d.card_version == 1 for d in db.session.scalars(select(Deputy)))
    new = CARD_URL.findall(client.post(f"/meetings/{mid}/cards", data={"confirm": "1"}).get_data(as_text=True))
    assert len(new) == 3 and not set(new) & set(old)
    release_database()
    tablet = make_app().test_client()
    assert tablet.get(old[0].replace("http://localhost", "")).status_code == 404
    assert tablet.get(new[0].replace("http://localhost", "")).status_code == 302
    db.session.expire_all()
    assert all(d.card_version == 2 for d in db.session.scalars(select(Deputy)))
    assert "cards_reissued" in db.session.scalars(select(AuditEntry.action)).all()


def test_reissue_one_card(client, staff, make_app):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    old = CARD_URL.findall(import_roster(client, mid, 3).get_data(as_text=True))
    deputy = db.session.scalars(select(Deputy).order_by(Deputy.number)).first()
    response = client.post(f"/meetings/{mid}/deputies/{deputy.id}/card")
    html = response.get_data(as_text=True)
    new = CARD_URL.findall(html)
    assert response.status_code == 200 and len(new) == 1 and "第 2 版" in html
    release_database()
    tablet = make_app().test_client()
    assert tablet.get(old[0].replace("http://localhost", "")).status_code == 404
    assert tablet.get(old[1].replace("http://localhost", "")).status_code == 302  # the others still work
    assert client.post(f"/meetings/{mid}/deputies/999999/card").status_code == 302  # flashed: not found


def test_checkin_board_marks_present_against_quorum(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    import_roster(client, mid, 3)
    board = client.get(f"/meetings/{mid}/checkin").get_data(as_text=True)
    assert "应到" in board and "实到" in board and "法定人数" in board and "未达到" in board
    deputies = db.session.scalars(select(Deputy).order_by(Deputy.number)).all()
    for deputy in deputies[:2]:
        response = client.post(f"/meetings/{mid}/checkin/{deputy.id}")
        assert response.status_code == 302
    fragment = client.get(f"/meetings/{mid}/checkin/board").get_data(as_text=True)
    assert re.search(r'data-figure="present">2<', fragment) and re.search(r'data-figure="required">2<', fragment)
    assert "已达到" in fragment
    client.post(f"/meetings/{mid}/checkin/{deputies[0].id}")  # twice: still one row
    assert db.session.scalar(select(func.count(Attendance.id))) == 2


def test_closing_the_meeting_needs_no_open_ballot(client, staff, api):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    response = client.post(f"/meetings/{mid}/close")
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, mid).closed_at is not None
