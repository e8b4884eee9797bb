"""The per-address limits hold (a test app of its own with limits switched on)."""
import pytest

from tests.factories import assert_refused
from tests.collection.conftest import GOOD, counts
from voting.collection import services
from voting.extensions import db


@pytest.fixture
def limited(make_app, body):
    body_id = body.id
    db.session.commit()  # end the fixtures' transaction: on SQLite it would hold the write lock
    app = make_app(RATELIMIT_ENABLED=True, INTAKE_RATE_LIMIT="2/minute", TRACKING_RATE_LIMIT="3/minute",
                   SIMILAR_RATE_LIMIT="2/minute")
    with app.app_context():
        services.create_station(body_id, {"code": "DH-01", "name": "东湖镇代表联络站"}, actor="test")
        yield app


def test_intake_limit_is_shared_by_page_and_api(limited):
    client = limited.test_client()
    assert client.post("/collection/intake/DH-01", data=GOOD).status_code == 302
    assert client.post("/api/v1/proposals", json={"station": "DH-01", **GOOD}).status_code == 201
    blocked_page = client.post("/collection/intake/DH-01", data=GOOD)
    blocked_api = client.post("/api/v1/proposals", json={"station": "DH-01", **GOOD})
    assert blocked_page.status_code == 429 and "过于频繁" in blocked_page.get_data(as_text=True)
    assert blocked_api.status_code == 429 and blocked_api.get_json()["error"]["code"] == "rate_limited"
    assert counts()[0] == 2
    # another address is not affected; reading the form is not limited
    other = limited.test_client()
    assert other.post("/collection/intake/DH-01", data=GOOD, environ_base={"REMOTE_ADDR": "10.0.0.9"}).status_code == 302
    assert client.get("/collection/intake/DH-01").status_code == 200


def test_tracking_lookup_is_limited(limited):
    client = limited.test_client()
    statuses = [client.get("/api/v1/proposals/MS-2222-3333").status_code for _ in range(3)]
    assert statuses == [404, 404, 404]
    assert_refused(client.get("/api/v1/proposals/MS-2222-3333"), 429, "rate_limited")
    assert client.get("/collection/intake/query?code=MS-2222-3333").status_code == 429


def test_similar_hints_are_limited(limited):
    client = limited.test_client()
    assert [client.get("/collection/intake/DH-01/similar?q=幼儿园").status_code for _ in range(3)] == [200, 200, 429]
