"""The public progress page and GET /api/v1/projects: no login, no contact data,
no drafts, only projects of published selection ballots."""
from decimal import Decimal

import pytest

from tests.tracking.conftest import EDUCATION, make_ballot, make_project
from voting.collection.models import Candidate, Proposal
from voting.extensions import db
from voting.tracking import services

CONTACT = "13912345678"
PROPOSER = "赵秘密"
DRAFT_TEXT = "草稿：预算可能超支，尚未核实"
PUBLIC_TEXT = "主体结构封顶，进入内部装修阶段。"


def proposal(body, code="MS-KQRT-7WXY", status="candidate", merged_into=None) -> Proposal:
    item = Proposal(body_id=body.id, tracking_code=code, title="城东需要一所公办幼儿园", description="孩子入园难，希望新建。",
                    category="教育", contact=CONTACT, proposer=PROPOSER, location="城东新区", status=status,
                    merged_into_id=merged_into.id if merged_into else None)
    db.session.add(item)
    db.session.commit()
    return item


@pytest.fixture
def tracked(app, body, department):
    """A published project that grew out of a proposal with contact data, with one
    published update and one draft."""
    source = proposal(body)
    candidate = Candidate(body_id=body.id, year=2026, title="新建城东公办幼儿园", description="新增学位 360 个",
                          budget=Decimal("980.00"), department=EDUCATION)
    candidate.proposals.append(source)
    db.session.add(candidate)
    db.session.commit()
    ballot = make_ballot(body, {"新建城东公办幼儿园": "selected", "落选项目": "not_selected"}, state="published",
                         references={"新建城东公办幼儿园": f"candidate:{candidate.id}"})
    [project] = services.projects_from_ballot(ballot)
    services.create_update(project, department, {"percent": "60", "text": PUBLIC_TEXT}, publish=True)
    services.create_update(project, department, {"percent": "90", "text": DRAFT_TEXT}, publish=False)
    return project


def assert_private_data_absent(text: str):
    for secret in (CONTACT, PROPOSER, DRAFT_TEXT, "MS-KQRT-7WXY", "城东新区"):
        assert secret not in text


def test_public_pages_show_progress_without_contacts_or_drafts(app, tracked):
    client = app.test_client()
    listing = client.get("/tracking/public?year=2026")
    assert listing.status_code == 200
    text = listing.get_data(as_text=True)
    assert "新建城东公办幼儿园" in text and EDUCATION in text and "60%" in text and "推进中" in text
    assert_private_data_absent(text)
    detail = client.get(f"/tracking/public/{tracked.id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert PUBLIC_TEXT in text and "980.00" in text
    assert_private_data_absent(text)
    assert "90%" not in text


def test_api_lists_projects_without_contacts_or_drafts(app, tracked):
    response = app.test_client().get("/api/v1/projects")
    assert response.status_code == 200
    [entry] = response.get_json()["projects"]
    assert {k: entry[k] for k in ("id", "title", "department", "status", "progress", "year")} == {
        "id": str(tracked.id), "title": "新建城东公办幼儿园", "department": EDUCATION, "status": "in_progress",
        "progress": 60, "year": 2026}
    assert_private_data_absent(response.get_data(as_text=True))


def test_projects_of_unpublished_ballots_stay_private(app, body):
    hidden = make_project(body, published=False, title="尚未公布的项目")
    client = app.test_client()
    assert client.get("/api/v1/projects").get_json() == {"projects": []}
    assert "尚未公布的项目" not in client.get("/tracking/public?year=2026").get_data(as_text=True)
    assert client.get(f"/tracking/public/{hidden.id}").status_code == 404


def test_api_filters_by_body_and_year(app, body, other_body):
    ours = make_project(body, title="本县项目")
    make_project(other_body, title="外县项目")
    make_project(body, title="去年项目", year=2025)
    client = app.test_client()
    titles = lambda query: sorted(p["title"] for p in client.get(f"/api/v1/projects{query}").get_json()["projects"])
    assert titles("") == ["去年项目", "外县项目", "本县项目"]
    assert titles(f"?body={body.id}") == ["去年项目", "本县项目"]
    assert titles(f"?body={body.id}&year=2026") == ["本县项目"]
    assert titles("?year=2025") == ["去年项目"]
    assert ours.id


@pytest.mark.parametrize("query, status", [("?body=abc", 400), ("?year=20x6", 400), ("?body=-1", 400),
                                           ("?body=999999", 404)])
def test_api_refuses_bad_filters(app, query, status):
    response = app.test_client().get(f"/api/v1/projects{query}")
    assert response.status_code == status
    assert response.get_json()["error"]["code"] in ("bad_request", "not_found")


def test_api_is_in_the_openapi_document(app):
    spec = app.test_client().get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/projects"]["get"]
    assert operation["security"] == []
    assert {p["name"] for p in operation["parameters"]} == {"body", "year"}


def test_tracking_code_leads_to_the_project(app, body, tracked):
    assert services.project_for_proposal("ms-kqrt-7wxy").id == tracked.id
    original = db.session.query(Proposal).filter_by(tracking_code="MS-KQRT-7WXY").one()
    merged = proposal(body, code="MS-WXYZ-2345", status="merged", merged_into=original)
    assert services.project_for_proposal(merged.tracking_code).id == tracked.id
    client = app.test_client()
    response = client.get("/tracking/public/lookup?code=MS-KQRT-7WXY")
    assert response.status_code == 302 and response.headers["Location"].endswith(f"/tracking/public/{tracked.id}")
    assert client.get("/tracking/public/lookup?code=MS-2222-3333").status_code == 404
    assert services.project_for_proposal("nonsense") is None


def test_public_page_defaults_to_a_year_with_projects(app, body):
    make_project(body, title="二〇二五年项目", year=2025)
    text = app.test_client().get("/tracking/public").get_data(as_text=True)
    assert "二〇二五年项目" in text


def test_public_page_unknown_body_is_404(app):
    assert app.test_client().get("/tracking/public?body=99999").status_code == 404
    assert app.test_client().get("/tracking/public?body=x").status_code == 404


def test_api_response_matches_its_documented_schema(app, tracked):
    client = app.test_client()
    spec = client.get("/api/v1/openapi.json").get_json()
    schema = spec["paths"]["/projects"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    item = schema["properties"]["projects"]["items"]
    types = {"string": str, "integer": int}
    [entry] = client.get("/api/v1/projects").get_json()["projects"]
    assert set(item["required"]) <= set(entry) and set(entry) <= set(item["properties"])
    for key, value in entry.items():
        rule = item["properties"][key]
        assert (value is None and rule.get("nullable")) or isinstance(value, types[rule["type"]]), key
        assert "enum" not in rule or value in rule["enum"]
