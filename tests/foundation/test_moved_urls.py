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
    ("GET", "/collect/d/D-WANG", "/collection/intake/d/D-WANG", "collection.intake.deputy_intake"),
    ("GET", "/collect/DH-01/similar?q=%E5%B9%BC%E5%84%BF%E5%9B%AD", "/collection/intake/DH-01/similar?q=%E5%B9%BC%E5%84%BF%E5%9B%AD",
     "collection.intake.similar"),
    ("GET", "/collect/query?code=MS-2222-3333", "/collection/intake/query?code=MS-2222-3333",
     "collection.intake.query"),
    ("GET", "/collect/done", "/collection/intake/done", "collection.intake.done"),
    ("POST", "/collect/d/D-WANG", "/collection/intake/d/D-WANG", "collection.intake.deputy_intake_submit"),
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


def test_the_addresses_api_md_names_are_served_not_redirected(client, station):
    """API.md: GET /collect/<code> is the intake page a station's QR code opens, and
    /collect/<code>/qr.png that QR code; GET /projects the public list. A client that does
    not follow redirects gets the page itself, and the QR code holds /collect/<code>."""
    page = client.get("/collect/DH-01")
    assert page.status_code == 200 and "东湖镇代表联络站" in page.get_data(as_text=True)
    png = client.get("/collect/DH-01/qr.png")
    assert png.status_code == 200 and png.mimetype == "image/png"
    import zxingcpp
    from PIL import Image
    import io
    decoded = zxingcpp.read_barcodes(Image.open(io.BytesIO(png.data)))
    assert decoded and decoded[0].text.endswith("/collect/DH-01")
    assert client.get("/collect/NOPE").status_code == 404
    assert client.get("/collection/intake/DH-01").status_code == 200  # the new address too
    listing = client.get("/projects")
    assert listing.status_code == 200 and listing.request.path == "/projects"
    assert client.get("/projects/987654", follow_redirects=True).status_code == 404


def test_a_form_posted_to_the_promised_address_is_taken_there(client, station):
    response = client.post("/collect/DH-01", data=PROPOSAL)
    assert response.status_code == 302 and response.headers["Location"] == "/collection/intake/done"
    proposal = db.session.execute(db.select(Proposal)).scalar_one()
    assert proposal.title == PROPOSAL["title"] and proposal.station_id == station.id


def test_the_json_api_does_not_move(client):
    response = client.get("/api/v1/projects")
    assert response.status_code == 200 and "projects" in response.get_json()
