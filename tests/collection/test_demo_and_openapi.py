"""The demo seed and the API's OpenAPI entries."""
from sqlalchemy import func, select

from tests.factories import gen_body
from voting.collection import demo
from voting.collection.models import Candidate, LiaisonStation, Proposal
from voting.extensions import db


def _count(model, body):
    return db.session.scalar(select(func.count(model.id)).filter_by(body_id=body.id))


def test_demo_seed_is_idempotent(app):
    city = gen_body("演示市", level="city")
    main = gen_body("青山县人大常委会", parent=city)
    other = gen_body("白水县人大常委会", parent=city)
    town = gen_body("青山县东湖镇人大", level="township", parent=main)
    context = {"main": main, "counties": {main.name: main, other.name: other}, "townships": {town.name: town}}
    lines = demo.seed(context)
    db.session.commit()
    assert len(lines) == 3
    assert _count(LiaisonStation, main) == 30
    assert 30 <= _count(Proposal, main) <= 45
    assert _count(Candidate, main) == 15
    for body in (other, town):
        assert 3 <= _count(LiaisonStation, body) <= 5
        assert 6 <= _count(Candidate, body) <= 12
    statuses = set(db.session.execute(select(Proposal.status).distinct()).scalars())
    assert statuses == {"pending", "studying", "shortlisted", "merged", "declined", "candidate"}
    assert demo.seed(context) == []
    assert _count(LiaisonStation, main) == 30


def test_openapi_documents_the_collection_endpoints(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    assert "get" in paths["/stations"]
    assert paths["/proposals"]["post"]["security"] == []
    assert "201" in paths["/proposals"]["post"]["responses"]
    assert paths["/proposals/{tracking_code}"]["get"]["security"] == []
    schema = paths["/proposals/{tracking_code}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert set(schema["required"]) == {"title", "status", "status_text", "reply"}
    assert "contact" not in schema["properties"]
