"""Old addresses stay working as permanent redirects (voting/moved.py): /collect/<code>
printed on station posters, /projects bookmarked by residents, the tally sheet and paper
entry once under /ballots/<id>. (rename_endpoints: keep — these are the old addresses.)"""
import pytest

from voting.collection import services
from voting.collection.models import Proposal
from voting.extensions import db

PROPOSAL = {"title": "东湖镇新建公办幼儿园", "description": "适龄幼儿入园难，希望新建一所公办幼儿园。",
            "category": "教育", "location": "东湖镇人民路", "contact": "13912345678"}


@pytest.fixture
def station(app, body):
    return services.create_station(body.id, {"code": "DH-01", "name": "东湖镇代表联络站", "township": "东湖镇"},
                                   actor="test")


def _endpoint_of(app, location: str, method: str) -> str:
    path = location.split("?", 1)[0]
    return app.url_map.bind("localhost").match(path, method=method)[0]


@pytest.mark.parametrize("method, old, new, endpoint", [
    ("GET", "/collect/DH-01", "/collection/intake/DH-01", "collection.intake.intake"),
    ("GET", "/collect/DH-01/qr.png", "/collection/intake/DH-01/qr.png", "collection.intake.qr"),
    ("GET", "/collect/d/D-WANG", "/collection/intake/d/D-WANG", "collection.intake.deputy_intake"),
    ("GET", "/collect/DH-01/similar?q=%E5%B9%BC%E5%84%BF%E5%9B%AD", "/collection/intake/DH-01/similar?q=%E5%B9%BC%E5%84%BF%E5%9B%AD",
     "collection.intake.similar"),
    ("GET", "/collect/query?code=MS-2222-3333", "/collection/intake/query?code=MS-2222-3333",
     "collection.intake.query"),
    ("GET", "/collect/done", "/collection/intake/done", "collection.intake.done"),
    ("POST", "/collect/DH-01", "/collection/intake/DH-01", "collection.intake.intake_submit"),
    ("POST", "/collect/d/D-WANG", "/collection/intake/d/D-WANG", "collection.intake.deputy_intake_submit"),
    ("GET", "/projects", "/tracking/public", "tracking.public_projects"),
    ("GET", "/projects?year=2026", "/tracking/public?year=2026", "tracking.public_projects"),
    ("GET", "/projects/7", "/tracking/public/7", "tracking.public_project"),
    ("GET", "/projects/lookup?code=MS-2222-3333", "/tracking/public/lookup?code=MS-2222-3333", "tracking.lookup"),
    ("GET", "/projects/photos/3", "/tracking/public/photos/3", "tracking.public_photo"),
    ("GET", "/ballots/5/sheet", "/sheets/5", "sheets.sheet"),
    ("GET", "/ballots/5/paper?q=%E4%BB%A3%E8%A1%A8", "/sheets/5/paper?q=%E4%BB%A3%E8%A1%A8", "sheets.paper"),
    ("POST", "/ballots/5/paper/issue", "/sheets/5/paper/issue", "sheets.paper_issue"),
    ("POST", "/ballots/5/paper/ballots", "/sheets/5/paper/ballots", "sheets.paper_enter"),
    ("POST", "/ballots/5/paper/totals", "/sheets/5/paper/totals", "sheets.paper_totals"),
])
def test_an_old_address_redirects_permanently_to_its_page(app, client, method, old, new, endpoint):
    response = client.open(old, method=method)
    assert response.status_code == (301 if method == "GET" else 308)
    assert response.headers["Location"] == new
    assert _endpoint_of(app, new, method) == endpoint


def test_a_poster_code_still_opens_the_intake_page(client, station):
    page = client.get("/collect/DH-01", follow_redirects=True)
    assert page.status_code == 200 and page.request.path == "/collection/intake/DH-01"
    assert "东湖镇代表联络站" in page.get_data(as_text=True)
    png = client.get("/collect/DH-01/qr.png", follow_redirects=True)
    assert png.status_code == 200 and png.mimetype == "image/png"
    assert client.get("/collect/NOPE", follow_redirects=True).status_code == 404


def test_a_form_posted_to_an_old_address_is_posted_again_with_its_body(client, station):
    """308 tells the browser to post the same body again to the new address (Werkzeug's
    test client does not resend a form body, so the second post is written out)."""
    moved = client.post("/collect/DH-01", data=PROPOSAL)
    assert moved.status_code == 308 and db.session.execute(db.select(Proposal)).first() is None
    response = client.post(moved.headers["Location"], data=PROPOSAL)
    assert response.status_code == 302 and response.headers["Location"] == "/collection/intake/done"
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.title == PROPOSAL["title"] and proposal.station_id == station.id


def test_the_public_projects_page_keeps_its_old_address(client):
    page = client.get("/projects", follow_redirects=True)
    assert page.status_code == 200 and page.request.path == "/tracking/public"
    assert client.get("/projects/987654", follow_redirects=True).status_code == 404


def test_the_json_api_does_not_move(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 200 and "projects" in response.get_json()
