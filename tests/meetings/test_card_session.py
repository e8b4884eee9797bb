"""A reissued card ends the browser sessions opened with the old card, for voting too."""
from tests.factories import assert_refused
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
    assert_refused(response, 401, "unauthorized")
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


def test_a_staff_cookie_saved_before_logout_opens_nothing_after(app, staff):
    """Logout ends every session of the account: the cookie copied before it (another
    browser, a stolen copy) gets the login page afterwards, like the one logged out."""
    from tests.factories import PASSWORD

    username = staff["secretariat"].username
    browser, thief = app.test_client(), app.test_client()
    assert browser.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    saved = browser.get_cookie("session")
    thief.set_cookie(saved.key, saved.value)
    assert thief.get("/dashboard").status_code == 200  # the copy works while the session lasts
    assert browser.post("/logout").status_code == 302
    replay = thief.get("/dashboard")
    assert replay.status_code == 302 and "/login" in replay.headers["Location"]
    # Signing in again opens a new session that works.
    assert browser.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    assert browser.get("/dashboard").status_code == 200


def test_a_new_password_ends_the_sessions_opened_with_the_old_one(app, staff):
    from tests.factories import PASSWORD
    from voting.accounts.models import User
    from voting.extensions import db

    username = staff["leader"].username
    browser = app.test_client()
    assert browser.post("/login", data={"username": username, "password": PASSWORD}).status_code == 302
    assert browser.get("/dashboard").status_code == 200
    user = db.session.scalar(db.select(User).filter_by(username=username))
    user.set_password("a-new-password-2026")
    db.session.commit()
    assert browser.get("/dashboard").status_code == 302
