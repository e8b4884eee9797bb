"""A re-appraisal usually comes months after round 1, at a later meeting: round 2 is
held there, linked to round 1, while round 1's meeting stays closed. Through the API a
campaign's round 2 waits for the department's re-report like it does in the browser."""
import io

from sqlalchemy import select

from tests.factories import assert_refused, login
from tests.appraisals.conftest import Hall, make_project
from tests.appraisals.test_cycle import PDF, create_campaign
from voting.appraisals.models import AppraisalCampaign, Rereport
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.meetings import services as meetings


def _failing_round1(body, secretariat):
    """A campaign with one project report that gets 3/5 (under 4/5) in round 1."""
    project = make_project(body, "城区老旧小区改造", "县住建局")
    hall = Hall(body, 5)
    campaign = create_campaign(secretariat)
    secretariat.post(f"/appraisals/{campaign.id}/items", data={"project": [str(project.id)]})
    secretariat.post(f"/appraisals/{campaign.id}/ballot", data={"meeting": str(hall.meeting.id)})
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    round1 = campaign.ballot
    [item] = round1.items
    sheet = hall.run(round1.id, [(3, {item.id: "satisfied"}), (2, {item.id: "unsatisfied"})])
    assert sheet["items"][0]["outcome"] == "rereport_required"
    return campaign, round1, hall


def test_round_two_at_a_later_meeting_after_the_first_closed(app, body, api, staff, secretariat, departments):
    campaign, round1, hall = _failing_round1(body, secretariat)
    meetings.close_meeting(hall.meeting, actor="test")
    later = Hall(body, 5)
    token = api.token(staff["secretariat"].username)
    url = f"/api/v1/ballots/{round1.id}/reappraisal"

    # Not yet marked, not yet re-reported: refused with the reasons, nothing made.
    refused = api.post(url, token, json={"meeting_id": str(later.meeting.id)})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "reappraisal_not_ready"
    assert db.session.scalar(select(Ballot).where(Ballot.parent_id == round1.id)) is None

    secretariat.post(f"/appraisals/{campaign.id}/rereports", data={"due_date": "2027-03-01"})
    [rereport] = db.session.scalars(select(Rereport)).all()
    housing = login(app.test_client(), departments["住建"])
    assert housing.post(f"/appraisals/rereports/{rereport.id}",
                        data={"text": "整改完成。", "attachments": (io.BytesIO(PDF), "整改报告.pdf")},
                        content_type="multipart/form-data").status_code == 302

    # The closed meeting cannot hold round 2; the later one can.
    closed = api.post(url, token)
    assert closed.status_code == 409 and closed.get_json()["error"]["code"] == "invalid_transition"
    assert "已经结束" in closed.get_json()["error"]["message"]
    made = api.post(url, token, json={"meeting_id": str(later.meeting.id)})
    assert made.status_code == 201, made.get_json()
    round2 = made.get_json()
    assert round2["round"] == 2 and round2["parent_id"] == str(round1.id)
    assert round2["meeting_id"] == str(later.meeting.id) and round2["state"] == "draft"
    assert_refused(api.post(url, token, json={"meeting_id": str(later.meeting.id)}), 409, "reappraisal_not_ready")

    [item2] = db.session.get(Ballot, int(round2["id"])).items
    sheet2 = later.run(int(round2["id"]), [(4, {item2.id: "satisfied"}), (1, {item2.id: "unsatisfied"})])
    assert sheet2["items"][0]["rate"] == "4/5" and sheet2["items"][0]["outcome"] == "satisfactory"
    page = secretariat.get(f"/appraisals/{campaign.id}").get_data(as_text=True)
    assert "第2轮" in page


def test_the_campaign_page_chooses_the_meeting_of_round_two(app, body, staff, secretariat, departments):
    campaign, round1, hall = _failing_round1(body, secretariat)
    secretariat.post(f"/appraisals/{campaign.id}/rereports", data={"due_date": "2027-03-01"})
    [rereport] = db.session.scalars(select(Rereport)).all()
    login(app.test_client(), departments["住建"]).post(
        f"/appraisals/rereports/{rereport.id}", data={"text": "整改完成。"}, content_type="multipart/form-data")
    meetings.close_meeting(hall.meeting, actor="test")
    later = Hall(body, 5)
    page = secretariat.get(f"/appraisals/{campaign.id}").get_data(as_text=True)
    assert "在哪次会议上再次测评" in page and later.meeting.name in page
    assert secretariat.post(f"/appraisals/{campaign.id}/reappraisal",
                            data={"meeting": str(later.meeting.id)}).status_code == 302
    round2 = db.session.scalar(select(Ballot).where(Ballot.parent_id == round1.id))
    assert round2 is not None and round2.meeting_id == later.meeting.id and round2.round == 2


def test_a_ballot_outside_any_campaign_goes_to_round_two_directly(app, body, api, staff):
    """API.md: a closed appraisal ballot with rereport_required items → 201 round + 1."""
    hall = Hall(body, 5)
    token = api.token(staff["secretariat"].username)
    created = api.post(f"/api/v1/meetings/{hall.meeting.id}/ballots", token, json={
        "kind": "appraisal", "title": "述职评议", "items": [{"title": "甲"}, {"title": "乙"}]})
    assert created.status_code == 201, created.get_json()
    ballot = db.session.get(Ballot, int(created.get_json()["id"]))
    first, second = ballot.items
    hall.run(ballot.id, [(3, {first.id: "satisfied", second.id: "satisfied"}),
                         (2, {first.id: "unsatisfied", second.id: "satisfied"})])
    made = api.post(f"/api/v1/ballots/{ballot.id}/reappraisal", token)
    assert made.status_code == 201, made.get_json()
    assert [i["title"] for i in made.get_json()["items"]] == ["甲"] and made.get_json()["round"] == 2
