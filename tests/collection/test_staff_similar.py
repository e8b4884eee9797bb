"""The staff entry form shows similar existing proposals while the title is typed, like
the public form: the same script, fed by an endpoint scoped to the caller's body."""
import pytest

from tests.collection.conftest import submit
from tests.factories import gen_user, login
from voting.collection import services

SCRIPT = '<script src="/static/js/collection-intake.js" defer></script>'


def test_staff_form_wires_the_similar_hints(secretariat_client, station):
    page = secretariat_client.get("/collection/proposals/new").get_data(as_text=True)
    assert 'id="intake-form"' in page and 'data-similar-url="/collection/proposals/similar"' in page
    assert 'id="f-title"' in page and 'id="similar-box"' in page and 'id="similar-list"' in page
    assert SCRIPT in page


def test_public_form_keeps_its_hints(client, station):
    page = client.get("/collection/intake/DH-01").get_data(as_text=True)
    assert 'data-similar-url="/collection/intake/DH-01/similar"' in page and 'id="similar-box"' in page and SCRIPT in page


def test_similar_titles_for_staff(secretariat_client, station, other_county):
    submit(station, title="东湖镇新建公办幼儿园", contact="13900000001")
    submit(station, title="修缮北河镇文化广场", description="北河镇文化广场地砖破损，路灯不亮，希望修缮。")
    submit(other_county["station"], title="白水镇新建公办幼儿园")
    response = secretariat_client.get("/collection/proposals/similar?q=东湖新建幼儿园")
    assert response.status_code == 200 and response.is_json
    assert response.get_json() == {"similar": [{"title": "东湖镇新建公办幼儿园"}]}
    assert "1390000" not in response.get_data(as_text=True)
    assert secretariat_client.get("/collection/proposals/similar?q=").get_json() == {"similar": []}
    assert secretariat_client.get("/collection/proposals/similar").get_json() == {"similar": []}


def test_other_county_sees_only_its_own(app, station, other_county):
    submit(station, title="东湖镇新建公办幼儿园")
    submit(other_county["station"], title="白水镇新建公办幼儿园")
    theirs = login(app.test_client(), other_county["secretariat"])
    assert theirs.get("/collection/proposals/similar?q=新建公办幼儿园").get_json() == {
        "similar": [{"title": "白水镇新建公办幼儿园"}]}


def test_station_staff_get_hints_too(app, body, station):
    submit(station, title="东湖镇新建公办幼儿园")
    client = login(app.test_client(), gen_user("station", body))
    assert client.get("/collection/proposals/similar?q=东湖新建幼儿园").get_json() == {
        "similar": [{"title": "东湖镇新建公办幼儿园"}]}


@pytest.mark.parametrize("role, status", [("leader", 403), ("teller", 403), ("department", 403), ("admin", 403)])
def test_only_those_who_enter_proposals_may_ask(app, body, station, role, status):
    services.submit_proposal({"title": "东湖镇新建公办幼儿园", "description": "希望新建一所公办幼儿园，方便入园。",
                              "category": "教育"}, body_id=body.id, station=station)
    client = login(app.test_client(), gen_user(role, body))
    assert client.get("/collection/proposals/similar?q=东湖新建幼儿园").status_code == status


def test_anonymous_may_not_ask(client, station):
    submit(station, title="东湖镇新建公办幼儿园")
    response = client.get("/collection/proposals/similar?q=东湖新建幼儿园")
    assert response.status_code in (302, 401) and "幼儿园" not in response.get_data(as_text=True)
