"""Every error status and code of API.md, for the meeting and ballot endpoints."""
import pytest

from tests.ballots.sitting import Sitting, release_database


def error_of(response, status):
    assert response.status_code == status, (response.status_code, response.get_json())
    error = response.get_json()["error"]
    assert error["code"] and error["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])  # the message is Chinese
    return error["code"]


@pytest.fixture
def s(api, staff):
    sitting = Sitting(api, staff, size=4)
    sitting.check_in(range(3))
    ballot = sitting.ballot(items=3, seats=1)
    sitting.bid, sitting.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    return sitting


def test_400_malformed_json_or_fields(s, api):
    raw = api.client.post(f"/api/v1/meetings/{s.mid}/ballots", data=b"{oops",
                          headers={"Authorization": f"Bearer {s.secretariat}"}, content_type="application/json")
    error_of(raw, 400)
    error_of(api.post(f"/api/v1/meetings/{s.mid}/ballots", s.secretariat, json={"kind": "selection"}), 400)
    s.act(s.bid, "open")
    error_of(api.post(f"/api/v1/ballots/{s.bid}/votes", s.token(0), json={"choices": {}}), 400)


def test_401_no_or_bad_token(s, api):
    assert error_of(api.get(f"/api/v1/ballots/{s.bid}"), 401) == "unauthorized"
    assert error_of(api.post(f"/api/v1/ballots/{s.bid}/votes", "bad-token", json={}), 401) == "unauthorized"


def test_403_role_not_allowed(s, api, staff):
    error_of(api.post(f"/api/v1/ballots/{s.bid}/open", api.token(staff["leader"].username)), 403)
    error_of(api.get(f"/api/v1/meetings/{s.mid}/attendance", s.token(0)), 403)


def test_404_unknown_id(s, api):
    error_of(api.get("/api/v1/ballots/123456", s.secretariat), 404)
    error_of(api.get("/api/v1/ballots/x1", s.secretariat), 404)
    error_of(api.post("/api/v1/meetings/123456/ballots", s.secretariat, json={}), 404)


def test_409_state_conflicts(s, api):
    assert error_of(api.get(f"/api/v1/ballots/{s.bid}/tally", s.secretariat), 409) == "results_not_available"
    assert error_of(api.post(f"/api/v1/ballots/{s.bid}/close", s.secretariat), 409) == "invalid_transition"
    s.act(s.bid, "open")
    assert s.vote(0, s.bid, {s.ids[0]: "yes"}).status_code == 201
    assert error_of(s.vote(0, s.bid, {s.ids[0]: "yes"}), 409) == "already_voted"
    s.act(s.bid, "close")
    assert error_of(s.vote(1, s.bid, {}), 409) == "ballot_not_open"
    other = s.ballot(kind="motion", items=1)
    api.post(f"/api/v1/meetings/{s.mid}/deputies", s.secretariat,
             json={"deputies": [{"name": f"新代表{i}", "number": f"N{i}"} for i in range(6)]})
    assert error_of(api.post(f"/api/v1/ballots/{other['id']}/open", s.secretariat), 409) == "quorum_not_met"


def test_413_too_large(s, make_app):
    release_database()
    small = make_app(MAX_CONTENT_LENGTH=512).test_client()
    rows = [{"name": f"代表{i}", "number": f"X{i}"} for i in range(100)]
    response = small.post(f"/api/v1/meetings/{s.mid}/deputies", json={"deputies": rows},
                          headers={"Authorization": f"Bearer {s.secretariat}"})
    assert error_of(response, 413) == "too_large"


@pytest.mark.parametrize("marks, code", [
    ({0: "yes", 1: "yes"}, "too_many_yes"),
    ({"nope": "yes"}, "unknown_item"),
    ({0: "satisfied"}, "unknown_choice"),
])
def test_422_content_rule_broken(s, marks, code):
    s.act(s.bid, "open")
    choices = {(s.ids[key] if isinstance(key, int) else key): value for key, value in marks.items()}
    assert error_of(s.vote(0, s.bid, choices), 422) == code


def test_429_rate_limited(s, make_app):
    release_database()
    limited = make_app(RATELIMIT_ENABLED=True).test_client()
    statuses = [limited.post("/api/v1/auth/token", json={"card": "wrong"}).status_code for _ in range(35)]
    assert statuses[0] == 401 and statuses[-1] == 429
    assert limited.post("/api/v1/auth/token", json={"card": "wrong"}).get_json()["error"]["code"]
