"""Collection fixtures: a station in the test body, signed-in clients, image bytes."""
import io
import os

import pytest
from tests.factories import gen_body, gen_user, login
from voting.collection import services
from voting.collection.models import Proposal, ProposalPhoto
from voting.extensions import db

GOOD = {
    "title": "东湖镇新建公办幼儿园",
    "description": "东湖镇新建小区多，适龄幼儿入园难，希望新建一所公办幼儿园。",
    "category": "教育",
    "location": "东湖镇人民路",
    "contact": "13912345678",
}


@pytest.fixture(autouse=True)
def _fresh_request_globals(fresh_request_globals):
    """Each request of the collection tests sees a fresh `flask.g` (tests/conftest.py)."""


@pytest.fixture
def station(app, body):
    return services.create_station(body.id, {"code": "DH-01", "name": "东湖镇代表联络站", "township": "东湖镇",
                                             "address": "东湖镇人民路1号"}, actor="test")


@pytest.fixture
def leader_client(app, staff):
    return login(app.test_client(), staff["leader"])


@pytest.fixture
def other_county(app):
    """Another county with its own secretariat and station."""
    county = gen_body()
    user = gen_user("secretariat", county)
    station = services.create_station(county.id, {"code": "BS-01", "name": "白水县代表联络站", "township": "白水镇"},
                                      actor="test")
    return {"body": county, "secretariat": user, "station": station}


def submit(station, **overrides):
    """A proposal through the service, as the public would send it."""
    return services.submit_proposal({**GOOD, **overrides}, body_id=station.body_id, station=station)


def counts() -> tuple[int, int]:
    return (db.session.query(Proposal).count(), db.session.query(ProposalPhoto).count())


def image_bytes(kind: str = "PNG", size=(40, 30)) -> bytes:
    from PIL import Image

    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, format=kind)
    return out.getvalue()


def big_png(min_bytes: int) -> bytes:
    """A real PNG of random pixels, larger than `min_bytes` (noise does not compress)."""
    from PIL import Image

    side = int((min_bytes / 3) ** 0.5) + 64
    image = Image.frombytes("RGB", (side, side), os.urandom(side * side * 3))
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)
    data = out.getvalue()
    assert len(data) > min_bytes
    return data


def uploaded_files(app) -> list:
    folder = services.upload_dir() / "proposals"
    return sorted(folder.iterdir()) if folder.exists() else []
