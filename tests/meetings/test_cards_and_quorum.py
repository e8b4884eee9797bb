"""QR login cards (/card/<secret>), reissue, token expiry at meeting close, quorum."""
from sqlalchemy import select

from tests.factories import assert_refused
from tests.ballots.sitting import Sitting, release_database
from voting.extensions import db
from voting.integrity.models import AuditEntry


def test_card_url_logs_in_checks_in_and_shows_tablet(api, staff, client):
    s = Sitting(api, staff, size=3)
    response = client.get(f"/card/{s.deputies[0]['card']}")
    assert response.status_code == 302 and response.headers["Location"].endswith("/tablet")
    page = client.get("/tablet")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert s.meeting["name"] in html and "代表001" in html
    assert api.get(f"/api/v1/meetings/{s.mid}", s.secretariat).get_json()["present"] == 1
    # opening the card again does not check in twice
    client.get(f"/card/{s.deputies[0]['card']}")
    assert api.get(f"/api/v1/meetings/{s.mid}", s.secretariat).get_json()["present"] == 1


def test_tablet_lists_open_ballots_issued_to_the_deputy(api, staff, client):
    s = Sitting(api, staff, size=3)
    client.get(f"/card/{s.deputies[0]['card']}")
    s.check_in([1])
    ballot = s.ballot()
    assert ballot["title"] not in client.get("/tablet").get_data(as_text=True)  # draft: not shown
    s.act(ballot["id"], "open")
    assert ballot["title"] in client.get("/tablet").get_data(as_text=True)


def test_unknown_card_is_a_chinese_404_page(client, api, staff):
    response = client.get("/card/not-a-real-card")
    assert response.status_code == 404
    assert "登录卡无效" in response.get_data(as_text=True)
    assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.action == "card_login_failed"))


def test_tablet_without_login_redirects_to_login(client):
    response = client.get("/tablet")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_reissued_card_revokes_the_old_card_and_its_tokens(api, staff, client):
    s = Sitting(api, staff, size=2)
    old_card = s.deputies[0]["card"]
    old_token = s.token(0)
    response = api.post(f"/api/v1/meetings/{s.mid}/deputies/{s.deputies[0]['id']}/card", s.secretariat)
    assert response.status_code == 200
    new_card = response.get_json()["card"]
    assert new_card != old_card and response.get_json()["card_version"] == 2
    assert client.get(f"/card/{old_card}").status_code == 404
    assert_refused(api.post("/api/v1/auth/token", json={"card": old_card}), 401, "invalid_card")
    assert_refused(api.get(f"/api/v1/meetings/{s.mid}", old_token), 401, "unauthorized")
    assert api.card_token(new_card)
    actions = db.session.scalars(select(AuditEntry.action)).all()
    assert "card_reissued" in actions


def test_deputy_token_ends_when_the_meeting_closes(api, staff, client):
    s = Sitting(api, staff, size=2)
    token = s.token(0)
    assert api.get(f"/api/v1/meetings/{s.mid}", token).status_code == 200
    closed = api.post(f"/api/v1/meetings/{s.mid}/close", s.secretariat)
    assert closed.status_code == 200 and closed.get_json()["closed_at"]
    assert_refused(api.get(f"/api/v1/meetings/{s.mid}", token), 401, "unauthorized")
    assert_refused(api.post("/api/v1/auth/token", json={"card": s.deputies[1]["card"]}), 401, "invalid_card")
    assert client.get(f"/card/{s.deputies[1]['card']}").status_code == 404
    assert_refused(api.post(f"/api/v1/meetings/{s.mid}/close", s.secretariat), 409, "invalid_transition")


def test_card_login_is_throttled_per_address(make_app, api, staff):
    s = Sitting(api, staff, size=1)
    release_database()
    limited = make_app(RATELIMIT_ENABLED=True)
    client = limited.test_client()
    statuses = [client.get("/card/wrong-card").status_code for _ in range(25)]
    assert statuses[0] == 404 and statuses[-1] == 429
    assert s.mid


def test_quorum_133_of_200_refused_134_accepted(api, staff):
    s = Sitting(api, staff, size=200)
    s.check_in(range(133))
    ballot = s.ballot(kind="motion", items=1)
    refused = api.post(f"/api/v1/ballots/{ballot['id']}/open", s.secretariat)
    assert_refused(refused, 409, "quorum_not_met")
    error = refused.get_json()["error"]
    assert error["code"] == "quorum_not_met"
    assert "200" in error["message"] and "133" in error["message"] and "134" in error["message"]
    assert api.get(f"/api/v1/ballots/{ballot['id']}", s.secretariat).get_json()["state"] == "draft"
    s.check_in([133])
    opened = s.act(ballot["id"], "open")
    assert opened["state"] == "open" and opened["issued"] == 134 and opened["total"] == 200


def test_standing_committee_quorum_more_than_half(api, staff):
    s = Sitting(api, staff, size=10, quorum={"fraction": "1/2", "inclusive": False})
    s.check_in(range(5))
    ballot = s.ballot(kind="motion", items=1)
    assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/open", s.secretariat), 409, "quorum_not_met")
    s.check_in([5])
    assert s.act(ballot["id"], "open")["state"] == "open"
