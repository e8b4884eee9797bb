"""Meetings, roster import, cards, check-in and attendance through the API."""
import pytest
from sqlalchemy import func, select

from tests.factories import assert_refused, gen_body, gen_user
from tests.ballots.sitting import Sitting
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Deputy


def deputy_count(mid) -> int:
    return db.session.scalar(select(func.count(Deputy.id)).where(Deputy.meeting_id == int(mid)))


def test_create_meeting_with_default_quorum(api, staff):
    token = api.token(staff["secretariat"].username)
    response = api.post("/api/v1/meetings", token, json={"name": "县人大会议"})
    assert response.status_code == 201
    data = response.get_json()
    assert isinstance(data["id"], str) and data["name"] == "县人大会议"
    assert data["quorum"] == {"fraction": "2/3", "inclusive": True}
    got = api.get(f"/api/v1/meetings/{data['id']}", token).get_json()
    assert got["total"] == 0 and got["present"] == 0


def test_create_meeting_with_own_quorum(api, staff):
    token = api.token(staff["secretariat"].username)
    response = api.post("/api/v1/meetings", token,
                        json={"name": "常委会会议", "quorum": {"fraction": "1/2", "inclusive": False}})
    assert response.status_code == 201
    assert response.get_json()["quorum"] == {"fraction": "1/2", "inclusive": False}


@pytest.mark.parametrize("payload", [
    {},
    {"name": ""},
    {"name": 5},
    {"name": "会议", "quorum": {"fraction": "3/2"}},
    {"name": "会议", "quorum": {"fraction": 0.66}},
    {"name": "会议", "quorum": {"fraction": "2/3", "inclusive": "yes"}},
    {"name": "会议", "quorum": {"share": "2/3"}},
    {"name": "会议", "quorum": "2/3"},
])
def test_create_meeting_bad_input_is_400(api, staff, payload):
    token = api.token(staff["secretariat"].username)
    response = api.post("/api/v1/meetings", token, json=payload)
    assert_refused(response, 400, "bad_request")
    assert response.get_json()["error"]["message"]


@pytest.mark.parametrize("role", ["teller", "leader", "admin", "station"])
def test_only_secretariat_creates_meetings(api, staff, role):
    response = api.post("/api/v1/meetings", api.token(staff[role].username), json={"name": "会议"})
    assert_refused(response, 403, "forbidden")


def test_meeting_of_another_body_is_404_and_parent_reads_only(api, app, staff, body):
    s = Sitting(api, staff, size=3)
    other = gen_body()
    stranger = gen_user("secretariat", other)
    assert_refused(api.get(f"/api/v1/meetings/{s.mid}", api.token(stranger.username)), 404, "not_found")
    parent = gen_body("上级人大")
    body.parent_id = parent.id
    db.session.commit()
    boss = gen_user("secretariat", parent)
    boss_token = api.token(boss.username)
    assert api.get(f"/api/v1/meetings/{s.mid}", boss_token).status_code == 200
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", boss_token,
                        json={"deputies": [{"name": "甲", "number": "900"}]})
    assert_refused(response, 403, "forbidden")


def test_import_returns_cards_once(api, staff):
    s = Sitting(api, staff, size=0)
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat, json={"deputies": [
        {"name": "王建国", "delegation": "城关代表团", "number": "001"},
        {"name": "李秀英", "delegation": "东湖代表团", "number": 2},
    ]})
    assert response.status_code == 201
    data = response.get_json()
    assert data["created"] == 2
    assert [d["number"] for d in data["deputies"]] == ["001", "2"]
    assert all(len(d["card"]) >= 32 and isinstance(d["id"], str) for d in data["deputies"])
    listed = api.get(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat).get_json()["deputies"]
    assert all("card" not in d for d in listed)
    stored = db.session.scalars(select(Deputy.card_hash)).all()
    assert not any(d["card"] in stored for d in data["deputies"])  # only hashes are kept
    assert api.get(f"/api/v1/meetings/{s.mid}", s.secretariat).get_json()["total"] == 2


def test_import_reports_every_bad_row_and_imports_nothing(api, staff):
    s = Sitting(api, staff, size=2)  # numbers 001, 002 exist
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat, json={"deputies": [
        {"name": "好人", "number": "100"},
        {"name": "", "number": "101"},
        {"name": "重号", "number": "100"},
        {"name": "旧号", "number": "001"},
        {"name": "无号"},
        "not an object",
    ]})
    assert_refused(response, 400, "invalid_roster")
    error = response.get_json()["error"]
    assert error["code"] == "invalid_roster"
    lines = sorted({row["line"] for row in error["rows"]})
    assert lines == [2, 3, 4, 5, 6]
    assert "第3行" in error["message"] and "第1行" in error["message"]  # duplicate names its first line
    assert deputy_count(s.mid) == 2


def test_import_csv(api, staff):
    s = Sitting(api, staff, size=0)
    csv_text = "\ufeffname,delegation,number\n王建国,城关代表团,001\n\n李秀英,东湖代表团,002\n"
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat,
                        data=csv_text.encode("utf-8"), content_type="text/csv")
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["created"] == 2


def test_import_csv_bad_rows_by_line_number(api, staff):
    s = Sitting(api, staff, size=0)
    csv_text = "name,delegation,number\n王建国,城关代表团,001\n,东湖代表团,002\n李秀英,东湖代表团,001\n"
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat,
                        data=csv_text.encode("utf-8"), content_type="text/csv")
    assert_refused(response, 400, "invalid_roster")
    assert [row["line"] for row in response.get_json()["error"]["rows"]] == [3, 4]
    assert deputy_count(s.mid) == 0


def test_import_csv_without_header_columns(api, staff):
    s = Sitting(api, staff, size=0)
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat,
                        data="姓名,单位\n王,甲\n".encode(), content_type="text/csv")
    assert_refused(response, 400, "invalid_roster")
    assert response.get_json()["error"]["rows"][0]["line"] == 1


def test_import_is_audited(api, staff):
    s = Sitting(api, staff, size=3)
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "roster_imported"))
    assert entry.subject == f"meeting:{s.mid}" and '"created": 3' in entry.details


def test_deputy_checks_itself_in_idempotently(api, staff):
    s = Sitting(api, staff, size=3)
    token = s.token(0)
    first = api.post(f"/api/v1/meetings/{s.mid}/checkin", token)
    assert first.status_code == 200
    assert first.get_json()["present"] == 1 and first.get_json()["total"] == 3
    assert first.get_json()["quorum_met"] is False
    again = api.post(f"/api/v1/meetings/{s.mid}/checkin", token)
    assert again.status_code == 200 and again.get_json()["present"] == 1
    assert again.get_json()["checked_in"] is False
    audited = db.session.scalar(select(func.count(AuditEntry.id)).where(AuditEntry.action == "checked_in"))
    assert audited == 1


def test_secretariat_checks_in_a_deputy(api, staff):
    s = Sitting(api, staff, size=3)
    result = s.check_in([0, 1])
    assert result["present"] == 2 and result["quorum_met"] is True and result["total"] == 3
    attendance = api.get(f"/api/v1/meetings/{s.mid}/attendance", api.token(staff["leader"].username))
    assert attendance.status_code == 200
    assert attendance.get_json() == {"total": 3, "present": 2, "quorum_met": True, "required": 2}


def test_checkin_refusals(api, staff):
    s = Sitting(api, staff, size=2)
    other = Sitting(api, staff, size=2, name="另一次会议")
    # a deputy of another meeting does not see this one
    assert_refused(api.post(f"/api/v1/meetings/{s.mid}/checkin", other.token(0)), 404, "not_found")
    # a deputy checks in only itself
    response = api.post(f"/api/v1/meetings/{s.mid}/checkin", s.token(0), json={"deputy_id": s.deputies[1]["id"]})
    assert_refused(response, 403, "forbidden")
    # secretariat: missing, malformed, foreign deputy ids
    assert_refused(api.post(f"/api/v1/meetings/{s.mid}/checkin", s.secretariat, json={}), 400, "bad_request")
    assert api.post(f"/api/v1/meetings/{s.mid}/checkin", s.secretariat,
                    json={"deputy_id": "abc"}).status_code == 400
    assert api.post(f"/api/v1/meetings/{s.mid}/checkin", s.secretariat,
                    json={"deputy_id": other.deputies[0]["id"]}).status_code == 404
    # tellers do not check people in; deputies do not read attendance
    teller = api.token(staff["teller"].username)
    assert api.post(f"/api/v1/meetings/{s.mid}/checkin", teller,
                    json={"deputy_id": s.deputies[0]["id"]}).status_code == 403
    assert_refused(api.get(f"/api/v1/meetings/{s.mid}/attendance", s.token(0)), 403, "forbidden")
    assert api.get(f"/api/v1/meetings/{s.mid}", s.secretariat).get_json()["present"] == 0


def test_unknown_meeting_is_404(api, staff):
    token = api.token(staff["secretariat"].username)
    assert_refused(api.get("/api/v1/meetings/999999", token), 404, "not_found")
    assert_refused(api.get("/api/v1/meetings/abc", token), 404, "not_found")
    assert_refused(api.post("/api/v1/meetings/999999/checkin", token, json={"deputy_id": "1"}), 404, "not_found")


def test_no_token_is_401(api):
    assert_refused(api.get("/api/v1/meetings/1"), 401, "unauthorized")
    assert_refused(api.post("/api/v1/meetings", json={"name": "x"}), 401, "unauthorized")
    assert_refused(api.get("/api/v1/meetings/1", "not-a-token"), 401, "unauthorized")
