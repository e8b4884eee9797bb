"""The contact never leaves the staff pages; other bodies' records do not exist for you."""

import pytest

from tests.factories import assert_refused, gen_body, gen_user, login
from tests.collection.conftest import GOOD, image_bytes, submit
from voting.collection import services
from voting.extensions import db

CONTACT = "13912345678"


def test_tracking_page_and_api_never_show_the_contact(app, client, secretariat_client, station):
    proposal = submit(station, contact=CONTACT)
    services.set_reply(proposal, "已收到", "test")
    public = [
        client.get(f"/collection/intake/query?code={proposal.tracking_code}"),
        client.get(f"/api/v1/proposals/{proposal.tracking_code}"),
        client.get("/collection/intake/DH-01/similar?q=" + GOOD["title"]),
        client.get("/collection/intake/DH-01"),
    ]
    for response in public:
        assert response.status_code == 200
        assert CONTACT not in response.get_data(as_text=True)
    assert set(public[1].get_json()) >= {"title", "status", "status_text", "reply"}
    assert "contact" not in public[1].get_json()
    # staff do see it
    assert CONTACT in secretariat_client.get(f"/collection/proposals/{proposal.id}").get_data(as_text=True)


def test_photos_are_served_to_staff_only_with_safe_headers(app, client, secretariat_client, station):
    proposal = services.submit_proposal(GOOD, body_id=station.body_id, station=station,
                                        photos=[("p.png", image_bytes())])
    photo = proposal.photos[0]
    assert "/static/" not in str(services.photo_path(photo))
    assert client.get(f"/collection/photos/{photo.id}").status_code == 302  # to the login page
    response = secretariat_client.get(f"/collection/photos/{photo.id}")
    assert response.status_code == 200 and response.mimetype == "image/png"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Content-Disposition"].startswith("inline;")
    assert response.data == image_bytes()


@pytest.fixture
def outsider(app, other_county):
    return login(app.test_client(), other_county["secretariat"])


def test_another_countys_secretariat_gets_404(app, outsider, station, other_county):
    proposal = services.submit_proposal(GOOD, body_id=station.body_id, station=station,
                                        photos=[("p.png", image_bytes())])
    candidate = services.create_candidate(station.body_id, {"year": 2026, "title": "新建幼儿园", "budget": "100",
                                                            "department": "县教育局"}, "test")
    entry = services.create_deputy_code(station.body_id, {"code": "D-X", "deputy_name": "王五"}, "test")
    pages = [
        f"/collection/proposals/{proposal.id}",
        f"/collection/photos/{proposal.photos[0].id}",
        f"/collection/stations/{station.id}/edit",
        f"/collection/stations/{station.id}/poster",
        f"/collection/deputy-codes/{entry.id}/poster",
        f"/collection/candidates/{candidate.id}/edit",
        f"/collection/proposals?body={station.body_id}",
        f"/collection/stations?body={station.body_id}",
        f"/collection/candidates?body={station.body_id}",
        f"/collection/stats?body={station.body_id}",
        f"/collection/candidates/export.xlsx?body={station.body_id}",
    ]
    for page in pages:
        assert outsider.get(page).status_code == 404, page
    posts = [
        (f"/collection/proposals/{proposal.id}/status", {"status": "studying"}),
        (f"/collection/proposals/{proposal.id}/decline", {"reason": "不行的理由"}),
        (f"/collection/proposals/{proposal.id}/merge", {"target": str(proposal.id)}),
        (f"/collection/proposals/{proposal.id}/reply", {"reply": "x"}),
        (f"/collection/stations/{station.id}/edit", {"code": "DH-01", "name": "改名"}),
        (f"/collection/candidates/{candidate.id}/edit", {"year": "2026", "title": "改", "budget": "1", "department": "x"}),
        (f"/collection/candidates/{candidate.id}/delete", {}),
    ]
    for path, data in posts:
        assert outsider.post(path, data=data).status_code == 404, path
    db.session.expire_all()
    assert proposal.status == "pending" and station.name == "东湖镇代表联络站"
    # merging into another body's proposal is refused too
    theirs = submit(other_county["station"])
    response = outsider.post(f"/collection/proposals/{theirs.id}/merge", data={"target": str(proposal.id)})
    assert response.status_code == 400
    # their own lists show only their records
    listing = outsider.get("/collection/proposals").get_data(as_text=True)
    assert GOOD["title"] in listing  # their own proposal has the same title...
    assert f"#{proposal.id}<" not in listing  # ...but ours is not there


def test_api_stations_lists_own_body_only(app, api, staff, station, other_county):
    token = api.token(staff["secretariat"].username)
    response = api.get("/api/v1/stations", token)
    assert response.status_code == 200
    assert response.get_json() == {"stations": [{"code": "DH-01", "name": "东湖镇代表联络站", "township": "东湖镇"}]}
    other = api.token(other_county["secretariat"].username)
    assert [s["code"] for s in api.get("/api/v1/stations", other).get_json()["stations"]] == ["BS-01"]
    assert_refused(api.get("/api/v1/stations"), 401, "unauthorized")


def test_parent_body_reads_children_but_cannot_write(app, body, station):
    city = gen_body("测试市人大常委会", level="city")
    body.parent_id = city.id
    db.session.commit()
    city_secretariat = gen_user("secretariat", city)
    proposal = submit(station)
    client = login(app.test_client(), city_secretariat)
    assert client.get(f"/collection/proposals/{proposal.id}").status_code == 200
    assert GOOD["title"] in client.get(f"/collection/proposals?body={body.id}").get_data(as_text=True)
    assert client.get(f"/collection/stats?body={body.id}").status_code == 200
    assert client.post(f"/collection/proposals/{proposal.id}/status", data={"status": "studying"}).status_code == 403
    assert client.post(f"/collection/stations/{station.id}/edit", data={"code": "X1", "name": "x"}).status_code == 403
    # and a child cannot read its parent
    child_user = gen_user("secretariat", body)
    city_station = services.create_station(city.id, {"code": "CITY-1", "name": "市联络站"}, "test")
    child = login(app.test_client(), child_user)
    assert child.get(f"/collection/stations/{city_station.id}/poster").status_code == 404


@pytest.mark.parametrize("role, path, expected", [
    ("teller", "/collection/proposals", 403),
    ("station", "/collection/proposals", 403),
    ("department", "/collection/candidates", 403),
    ("teller", "/collection/stations", 200),
    ("leader", "/collection/candidates", 200),
    ("leader", "/collection/stats", 200),
    ("station", "/collection/proposals/new", 200),
    ("leader", "/collection/proposals/new", 403),
])
def test_role_table(app, staff, station, role, path, expected):
    client = login(app.test_client(), staff[role])
    assert client.get(path).status_code == expected


def test_staff_pages_need_login(client, station):
    for path in ("/collection/proposals", "/collection/stations", "/collection/candidates", "/collection/stats"):
        response = client.get(path)
        assert response.status_code == 302 and "/login" in response.location
