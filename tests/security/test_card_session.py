"""A reissued card ends the browser sessions opened with the old card, for voting too."""
from tests.ballots.sitting import Sitting


def test_old_card_session_cannot_vote_after_reissue(app, api, staff):
    sitting = Sitting(api, staff, size=3)
    sitting.check_in(range(3))
    ballot = sitting.ballot(items=3, seats=2)
    sitting.act(ballot["id"], "open")
    tablet = app.test_client()
    assert tablet.get(f"/card/{sitting.deputies[0]['card']}").status_code in (200, 302)
    assert tablet.get("/tablet").status_code == 200
    deputy_id = sitting.deputies[0]["id"]
    assert api.post(f"/api/v1/meetings/{sitting.mid}/deputies/{deputy_id}/card", sitting.secretariat).status_code == 200
    response = tablet.post(f"/api/v1/ballots/{ballot['id']}/votes", json={"choices": {}},
                           headers={"Idempotency-Key": "old-card"})
    assert response.status_code == 401
    assert tablet.get("/tablet").status_code in (302, 401, 403)


def test_current_card_session_votes(app, api, staff):
    sitting = Sitting(api, staff, size=3)
    sitting.check_in(range(3))
    ballot = sitting.ballot(items=3, seats=2)
    sitting.act(ballot["id"], "open")
    tablet = app.test_client()
    tablet.get(f"/card/{sitting.deputies[1]['card']}")
    response = tablet.post(f"/api/v1/ballots/{ballot['id']}/votes", json={"choices": {}},
                           headers={"Idempotency-Key": "current-card"})
    assert response.status_code == 201
