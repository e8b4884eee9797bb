"""The hall screen (大屏): a screen token instead of a login; attendance, progress
while open (counts only with live counts), the result table after close."""
import re

from sqlalchemy import select

from tests.ballots.sitting import Sitting, release_database
from tests.factories import login
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Meeting

SCREEN_URL = re.compile(r'id="screen-url">([^<]+)<')


def _screen_url(client, mid) -> str:
    response = client.post(f"/meetings/{mid}/screen")
    assert response.status_code == 200
    return SCREEN_URL.search(response.get_data(as_text=True)).group(1).replace("&amp;", "&").replace("http://localhost", "")


def test_screen_token_opens_the_screen_without_login(make_app, client, api, staff):
    s = Sitting(api, staff, size=3)
    login(client, staff["secretariat"])
    url = _screen_url(client, s.mid)
    meeting = db.session.get(Meeting, int(s.mid))
    assert meeting.screen_token_hash and meeting.screen_token_hash not in url  # only the hash is stored
    release_database()
    hall = make_app().test_client()
    page = hall.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for word in ("应到", "实到", "法定人数", "等待表决开始", s.meeting["name"]):
        assert word in html
    assert hall.get(f"/screen/{s.mid}").status_code == 404
    assert hall.get(f"/screen/{s.mid}?token=wrong").status_code == 404
    # rotating: the old address stops working
    new_url = _screen_url(client, s.mid)
    release_database()
    assert hall.get(url).status_code == 404 and hall.get(new_url).status_code == 200
    assert "screen_token_rotated" in db.session.scalars(select(AuditEntry.action)).all()
    client.post(f"/meetings/{s.mid}/screen/revoke")
    release_database()
    assert hall.get(new_url).status_code == 404


def test_progress_while_open_then_results(client, api, staff):
    s = Sitting(api, staff, size=3)
    login(client, staff["secretariat"])
    url = _screen_url(client, s.mid)
    board_url = url.replace(f"/screen/{s.mid}?", f"/screen/{s.mid}/board?")
    s.check_in([0, 1, 2])
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    a, b = (item["id"] for item in ballot["items"])
    s.vote(0, ballot["id"], {a: "yes"})
    s.vote(1, ballot["id"], {a: "yes", b: "no"})
    board = client.get(board_url).get_data(as_text=True)
    assert "表决进行中" in board and re.search(r"已投 <strong>2</strong>", board)
    assert "<table" not in board  # no counts unless the meeting chose live counts
    s.act(ballot["id"], "close")
    board = client.get(board_url).get_data(as_text=True)
    assert "表决结果" in board
    header = re.search(r"<thead>(.*?)</thead>", board, re.S).group(1)
    assert re.findall(r"<th[^>]*>(.*?)</th>", header) == ["项目", "赞成", "反对", "弃权", "结果"]
    assert "确定" in board


def test_live_counts_when_the_meeting_chose_them(client, api, staff):
    s = Sitting(api, staff, size=3)
    meeting = db.session.get(Meeting, int(s.mid))
    meeting.live_counts = True
    db.session.commit()
    login(client, staff["secretariat"])
    url = _screen_url(client, s.mid)
    s.check_in([0, 1, 2])
    ballot = s.ballot(kind="motion", items=1)
    s.act(ballot["id"], "open")
    s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"})
    board = client.get(url.replace(f"/screen/{s.mid}?", f"/screen/{s.mid}/board?")).get_data(as_text=True)
    row = re.search(r"<td>项目1</td>(.*?)</tr>", board, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["1", "0", "0"]


def test_leader_view_lists_the_tally_sheets_with_charts(client, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1, 2])
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"})
    login(client, staff["leader"])
    page = client.get(f"/meetings/{s.mid}/leader").get_data(as_text=True)
    assert "表决中" in page and re.search(r"已投 <strong>1</strong>", page)
    s.act(ballot["id"], "close")
    board = client.get(f"/meetings/{s.mid}/leader/board").get_data(as_text=True)
    assert 'class="chart"' in board and "计票规则" in board and "结果" in board
    if "sheets.sheet" in {rule.endpoint for rule in client.application.url_map.iter_rules()}:
        assert f"/sheets/{ballot['id']}" in board
