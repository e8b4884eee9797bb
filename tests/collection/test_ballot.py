"""The last step: the year's candidate list becomes a draft selection ballot."""
import pytest

from voting.ballots.models import Ballot, BallotItem
from voting.collection import services
from voting.collection.models import Candidate
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Meeting


@pytest.fixture
def meeting(app, body):
    meeting = Meeting(body_id=body.id, name="测试县第十八届人民代表大会第六次会议", year=2026)
    db.session.add(meeting)
    db.session.commit()
    return meeting


def make_candidates(body, count):
    return [services.create_candidate(body.id, {"year": 2026, "title": f"候选项目{n}", "budget": f"{100 + n}",
                                                "department": "县教育局", "planned_completion": "2026-12-31"}, "test")
            for n in range(1, count + 1)]


def form(meeting, seats, **extra):
    return {"year": "2026", "meeting_id": str(meeting.id), "title": "2026 年民生实事项目票决", "seats": str(seats),
            "secret": "1", **extra}


def test_candidates_become_a_selection_ballot(app, body, secretariat_client, meeting):
    candidates = make_candidates(body, 4)
    page = secretariat_client.get("/collection/candidates/ballot?year=2026")
    assert page.status_code == 200 and "候选项目（4 个）" in page.get_data(as_text=True)
    response = secretariat_client.post("/collection/candidates/ballot", data=form(meeting, 3))
    assert response.status_code == 302
    ballot = db.session.query(Ballot).one()
    assert response.headers["Location"].endswith(f"/ballots/{ballot.id}")  # straight to the new ballot
    landed = secretariat_client.get(f"/ballots/{ballot.id}").get_data(as_text=True)
    assert "已生成项目票决" in landed and ballot.title in landed
    assert (ballot.kind, ballot.seats, ballot.state, ballot.meeting_id) == ("selection", 3, "draft", meeting.id)
    items = db.session.query(BallotItem).filter_by(ballot_id=ballot.id).order_by(BallotItem.position).all()
    assert [i.title for i in items] == [c.title for c in candidates]
    assert [i.reference for i in items] == [f"candidate:{c.id}" for c in candidates]
    assert [i.candidate_id for i in items] == [c.id for c in candidates]  # the foreign key (#16)
    assert "预算 101.00 万元" in items[0].description and "县教育局" in items[0].description
    db.session.expire_all()
    assert {(c.state, c.ballot_id) for c in db.session.query(Candidate)} == {("balloted", ballot.id)}
    assert db.session.query(AuditEntry).filter_by(action="candidates_balloted").count() == 1
    # the list is now locked
    candidate = candidates[0]
    edit = secretariat_client.post(f"/collection/candidates/{candidate.id}/edit",
                                   data={"year": "2026", "title": "改名", "budget": "1", "department": "x"})
    assert edit.status_code == 409
    again = secretariat_client.post("/collection/candidates/ballot", data=form(meeting, 3))
    assert again.status_code == 409 and db.session.query(Ballot).count() == 1


def test_no_margin_needs_explicit_confirmation(app, body, secretariat_client, meeting):
    make_candidates(body, 3)
    warned = secretariat_client.post("/collection/candidates/ballot", data=form(meeting, 3))
    page = warned.get_data(as_text=True)
    assert warned.status_code == 409
    assert "没有差额" in page and 'name="confirm_no_margin"' in page
    assert db.session.query(Ballot).count() == 0
    db.session.expire_all()
    assert {c.state for c in db.session.query(Candidate)} == {"draft"}
    confirmed = secretariat_client.post("/collection/candidates/ballot", data=form(meeting, 3, confirm_no_margin="1"))
    assert confirmed.status_code == 302
    assert db.session.query(Ballot).one().seats == 3


@pytest.mark.parametrize("change, words", [
    ({"seats": "0"}, "应选数必须在 1 到候选项目数"),
    ({"seats": "9"}, "应选数必须在 1 到候选项目数"),
    ({"seats": "两个"}, "应选数必须是正整数"),
    ({"title": ""}, "请填写“表决名称”"),
    ({"meeting_id": "99999"}, "请选择本机构的会议"),
])
def test_bad_ballot_input_stores_nothing(app, body, secretariat_client, meeting, change, words):
    make_candidates(body, 3)
    response = secretariat_client.post("/collection/candidates/ballot", data={**form(meeting, 2), **change})
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert db.session.query(Ballot).count() == 0
    db.session.expire_all()
    assert {c.state for c in db.session.query(Candidate)} == {"draft"}


def test_only_the_secretariat_makes_ballots(app, body, leader_client, meeting):
    make_candidates(body, 3)
    assert leader_client.post("/collection/candidates/ballot", data=form(meeting, 2)).status_code == 403
    assert db.session.query(Ballot).count() == 0


def test_supervision_follows_the_foreign_key_not_the_reference_text(app, body, secretariat_client, meeting):
    """The item's candidate is found by candidate_id, whatever its reference or title says."""
    from voting.tracking.from_ballots import candidate_for_item

    candidates = make_candidates(body, 3)
    assert secretariat_client.post("/collection/candidates/ballot", data=form(meeting, 2)).status_code == 302
    item = db.session.query(BallotItem).filter_by(position=2).one()
    item.reference, item.title = "candidate:999999", "改过的名称"
    db.session.commit()
    assert candidate_for_item(item).id == candidates[1].id
