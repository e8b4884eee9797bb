"""The ballot editor and the ballot page: rules in plain Chinese, open / close /
publish, progress and who has not voted (names only), results, runoff."""
import re

import pytest
from sqlalchemy import func, select

from tests.ballots.sitting import Sitting
from tests.factories import decode_svg_qr, login
from voting.ballots.models import Ballot
from voting.extensions import db

pytestmark = pytest.mark.usefixtures("fresh_request_globals")  # see tests/conftest.py


@pytest.fixture
def sitting(api, staff, client):
    s = Sitting(api, staff, size=3)
    login(client, staff["secretariat"])
    return s


def _form(**values):
    base = {"kind": "selection", "title": "2025 年民生实事项目票决", "items": "项目甲｜说明甲\n项目乙\n\n项目丙\n",
            "seats": "2", "secret": "1"}
    base.update(values)
    return base


def test_editor_shows_the_default_rule_in_chinese(client, sitting):
    page = client.get(f"/meetings/{sitting.mid}/ballots/new").get_data(as_text=True)
    assert "候选项目获得全体代表过半数赞成票的" in page


@pytest.mark.parametrize("query, expected", [
    ("kind=motion&threshold_fraction=2/3&threshold_inclusive=1", "获得全体代表三分之二以上赞成票的，为通过。"),
    ("kind=selection&seats=10", "取前10项"),
    ("kind=appraisal&mode=rate", "80%"),
    ("kind=appraisal&mode=graded", "评为基本满意"),
    ("kind=appraisal&mode=weighted&weights=满意%3D100+基本满意%3D80+不满意%3D0", "基本满意80分"),
    ("kind=motion&threshold_base=present", "出席代表过半数"),
])
def test_rule_preview(client, sitting, query, expected):
    response = client.get(f"/ballots/rule-text?{query}")
    assert response.status_code == 200, response.get_json()
    assert expected in response.get_json()["text"]


def test_rule_preview_explains_a_bad_rule(client, sitting):
    response = client.get("/ballots/rule-text?kind=motion&threshold_fraction=abc")
    assert response.status_code == 400 and "规则有误" in response.get_json()["error"]


def test_create_a_selection_ballot_from_the_form(client, sitting):
    response = client.post(f"/meetings/{sitting.mid}/ballots/new", data=_form())
    assert response.status_code == 302
    ballot = db.session.scalars(select(Ballot)).one()
    assert [i.title for i in ballot.items] == ["项目甲", "项目乙", "项目丙"]
    assert ballot.items[0].description == "说明甲" and ballot.seats == 2 and ballot.secret
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "取前2项" in page and "开始表决" in page and "项目丙" in page


@pytest.mark.parametrize("values, message", [
    ({"seats": "5"}, "应选数必须在1到候选项目数"),
    ({"seats": ""}, "应选项目数"),
    ({"items": "  \n"}, "至少要有一个项目"),
    ({"title": ""}, "缺少表决名称"),
    ({"kind": "referendum"}, "请选择表决类型"),
    ({"kind": "motion", "threshold_fraction": "3/2"}, "规则有误"),
])
def test_bad_ballot_forms_store_nothing(client, sitting, values, message):
    response = client.post(f"/meetings/{sitting.mid}/ballots/new", data=_form(**values))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_create_an_appraisal_with_chosen_options(client, sitting):
    data = _form(kind="appraisal", title="年度民生实事满意度测评", seats="", mode="graded")
    response = client.post(f"/meetings/{sitting.mid}/ballots/new",
                           data={**data, "options": ["satisfied", "basically_satisfied", "unsatisfied", "unknown"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    ballot = db.session.scalars(select(Ballot)).one()
    assert ballot.options == ["satisfied", "basically_satisfied", "unsatisfied", "unknown"]
    assert ballot.rule["mode"] == "graded" and ballot.seats is None


def test_open_below_quorum_is_refused_with_the_figures(client, sitting):
    ballot = sitting.ballot()
    sitting.check_in([0])
    response = client.post(f"/ballots/{ballot['id']}/open", follow_redirects=True)
    html = response.get_data(as_text=True)
    assert "法定人数" in html and db.session.get(Ballot, int(ballot["id"])).state == "draft"


def test_progress_names_the_missing_voters_but_no_choices(client, sitting):
    ballot = sitting.ballot(items=3, seats=2)
    sitting.check_in([0, 1, 2])
    assert client.post(f"/ballots/{ballot['id']}/open").status_code == 302
    assert sitting.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"}).status_code == 201
    board = client.get(f"/ballots/{ballot['id']}/board").get_data(as_text=True)
    assert re.search(r"发出 <strong>3</strong>", board) and re.search(r"已投 <strong>1</strong>", board)
    missing = re.search(r'<p class="not-voted" id="not-voted">(.*?)</p>', board, re.S).group(1)
    assert "代表002" in missing and "代表003" in missing and "代表001" not in missing
    assert "<table" not in board and "反对" not in board  # no counts, no choices while open
    assert "结束表决并计票" in board


def test_two_deputies_of_one_name_are_told_apart_in_the_missing_list(client, sitting):
    from voting.meetings.models import Deputy

    for deputy in db.session.scalars(select(Deputy).where(Deputy.meeting_id == int(sitting.mid))):
        deputy.name = "李德明"
    db.session.commit()
    ballot = sitting.ballot(items=3, seats=2)
    sitting.check_in([0, 1, 2])
    assert client.post(f"/ballots/{ballot['id']}/open").status_code == 302
    board = client.get(f"/ballots/{ballot['id']}/board").get_data(as_text=True)
    missing = re.search(r'<p class="not-voted" id="not-voted">(.*?)</p>', board, re.S).group(1)
    entries = re.findall(r"<span>(.*?)</span>", missing, re.S)
    assert len(entries) == 3 and len(set(entries)) == 3, entries
    assert all("李德明" in entry for entry in entries)


def test_close_shows_the_result_and_publish(client, sitting):
    ballot = sitting.ballot(items=3, seats=2)
    sitting.check_in([0, 1, 2])
    sitting.act(ballot["id"], "open")
    a, b, c = (item["id"] for item in ballot["items"])
    sitting.vote(0, ballot["id"], {a: "yes", b: "yes"})
    sitting.vote(1, ballot["id"], {a: "yes", c: "no"})
    sitting.vote(2, ballot["id"], {a: "yes", b: "yes"})
    assert client.post(f"/ballots/{ballot['id']}/close").status_code == 302
    page = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
    for word in ("项目", "赞成", "反对", "弃权", "结果", "确定", "公布结果", "class=\"chart\""):
        assert word in page
    row = re.search(r"<td>项目1</td>(.*?)</tr>", page, re.S).group(1)
    assert re.findall(r'<td class="num">(\d+)</td>', row) == ["3", "0", "0"]
    assert client.post(f"/ballots/{ballot['id']}/publish").status_code == 302
    assert db.session.get(Ballot, int(ballot["id"])).state == "published"


def test_a_tie_offers_a_runoff(client, sitting):
    ballot = sitting.ballot(items=3, seats=2)
    sitting.check_in([0, 1, 2])
    sitting.act(ballot["id"], "open")
    a, b, c = (item["id"] for item in ballot["items"])
    sitting.vote(0, ballot["id"], {a: "yes", b: "yes"})
    sitting.vote(1, ballot["id"], {a: "yes", c: "yes"})
    sitting.vote(2, ballot["id"], {b: "yes", c: "yes"})
    sitting.act(ballot["id"], "close")
    page = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
    assert "发起再次投票" in page and "得票相等" in page
    response = client.post(f"/ballots/{ballot['id']}/runoff")
    child = db.session.scalars(select(Ballot).where(Ballot.parent_id == int(ballot["id"]))).one()
    assert response.headers["Location"].endswith(f"/ballots/{child.id}")
    assert child.round == 2 and child.state == "draft"
    assert "发起再次投票" not in client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)


def test_leader_and_teller_see_no_actions(client, sitting, staff):
    ballot = sitting.ballot()
    for role in ("leader", "teller"):
        login(client, staff[role])
        page = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
        assert "开始表决" not in page
        assert client.post(f"/ballots/{ballot['id']}/open").status_code == 403


def test_receipt_qr_needs_no_login_and_holds_the_code(client):
    code = "ABCD-EF23-GH45-JK67"
    response = client.get(f"/receipt-qr.svg?code={code}")
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    assert decode_svg_qr(response.get_data(as_text=True)) == code
    assert client.get("/receipt-qr.svg?code=<script>").status_code == 404


def test_weighted_appraisal_with_bands_from_the_form(client, sitting):
    data = _form(kind="appraisal", title="述职评议", seats="", mode="weighted",
                 weights="满意=100 基本满意=80 不满意=0", bands="90=优秀，70=称职", below="不称职")
    response = client.post(f"/meetings/{sitting.mid}/ballots/new",
                           data={**data, "options": ["satisfied", "basically_satisfied", "unsatisfied"]})
    assert response.status_code == 302, response.get_data(as_text=True)
    rule = db.session.scalars(select(Ballot)).one().rule
    assert rule["weights"] == {"satisfied": 100, "basically_satisfied": 80, "unsatisfied": 0}
    assert rule["bands"] == [[90, "优秀"], [70, "称职"]] and rule["below"] == "不称职"
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "90分以上为优秀" in page


def test_bad_weights_are_explained(client, sitting):
    data = _form(kind="appraisal", seats="", mode="weighted", weights="满意100")
    response = client.post(f"/meetings/{sitting.mid}/ballots/new", data=data)
    assert response.status_code == 400 and "权重应写成" in response.get_data(as_text=True)
