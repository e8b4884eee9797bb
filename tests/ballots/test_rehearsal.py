"""A rehearsal (试表决, issue #20): counted and shown like a real ballot, marked as a
rehearsal, never published, archived, exported, rolled up or tracked."""
from datetime import date

from tests.ballots.sitting import Sitting
from voting.accounts.models import Body
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.rollups.services import _appraisal_outcomes
from voting.tracking import services as tracking
from tests.factories import login


def _code(response):
    return response.get_json()["error"]["code"]


def test_a_rehearsal_is_counted_and_leaves_no_trace(client, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    rehearsal = s.ballot(items=2, seats=1, rehearsal=True)
    assert rehearsal["rehearsal"] is True
    s.act(rehearsal["id"], "open")
    assert s.vote(0, rehearsal["id"], {rehearsal["items"][0]["id"]: "yes"}).status_code == 201
    assert api.get(f"/api/v1/meetings/{s.mid}/live", s.secretariat).get_json()["ballots"][0]["rehearsal"] is True
    s.act(rehearsal["id"], "close")
    sheet = s.tally(rehearsal["id"]).get_json()
    assert sheet["cast"] == 1 and sheet["items"][0]["counts"]["yes"] == 1  # counted like a real one
    # never published: no receipts, no tracked projects
    refused = api.post(f"/api/v1/ballots/{rehearsal['id']}/publish", s.secretariat)
    assert refused.status_code == 409 and _code(refused) == "rehearsal_not_published"
    assert db.session.get(Ballot, int(rehearsal["id"])).state == "closed"
    assert api.get(f"/api/v1/projects").get_json()["projects"] == []
    body_id = db.session.get(Ballot, int(rehearsal["id"])).body_id
    assert tracking.result_ballots(body_id) == []
    # excluded from exports
    for extension in ("csv", "xlsx", "pdf"):
        response = api.get(f"/api/v1/ballots/{rehearsal['id']}/tally.{extension}", s.secretariat)
        assert response.status_code == 409 and _code(response) == "rehearsal_not_exported", extension
    # not in the sheets archive, which lists the real one
    real = s.ballot(items=2, seats=1)
    s.act(real["id"], "open")
    s.act(real["id"], "close")
    assert tracking.result_ballots(body_id)[0]["ballot"].id == int(real["id"])
    login(client, staff["secretariat"])
    page = client.get("/sheets").get_data(as_text=True)
    assert f"/sheets/{real['id']}" in page and f"/sheets/{rehearsal['id']}" not in page
    assert api.get(f"/api/v1/ballots/{real['id']}/tally.csv", s.secretariat).status_code == 200


def test_a_rehearsal_appraisal_is_not_rolled_up(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    rehearsal = s.ballot(kind="appraisal", items=1, rehearsal=True)
    s.act(rehearsal["id"], "open")
    s.vote(0, rehearsal["id"], {rehearsal["items"][0]["id"]: "unsatisfied"})
    s.act(rehearsal["id"], "close")
    body = db.session.get(Body, db.session.get(Ballot, int(rehearsal["id"])).body_id)
    assert _appraisal_outcomes(body.id, date.today().year).appraised == 0
    real = s.ballot(kind="appraisal", items=1)
    s.act(real["id"], "open")
    s.vote(0, real["id"], {real["items"][0]["id"]: "unsatisfied"})
    s.act(real["id"], "close")
    assert _appraisal_outcomes(body.id, date.today().year).appraised == 1


def test_rehearsal_must_be_a_boolean(api, staff):
    s = Sitting(api, staff, size=3)
    body = {"kind": "motion", "title": "试", "items": [{"title": "甲"}], "rehearsal": "yes"}
    response = api.post(f"/api/v1/meetings/{s.mid}/ballots", s.secretariat, json=body)
    assert response.status_code == 400 and _code(response) == "bad_request"
