"""Selection results become tracked projects: exactly the selected items, once."""
from decimal import Decimal
from datetime import date

import pytest

from tests.ballots.sitting import Sitting
from tests.tracking.conftest import make_ballot
from voting.errors import Refusal
from voting.collection.models import Candidate
from voting.extensions import db
from voting.tracking import services
from voting.tracking.models import LivelihoodProject

OUTCOMES = {"新建城东公办幼儿园": "selected", "城乡公交西岭线": "selected", "老旧小区加装电梯": "tie",
            "柳溪河污水管网": "tie", "图书馆延时开放": "failed", "南山镇农贸市场": "not_selected"}


def titles() -> set[str]:
    return {p.title for p in db.session.query(LivelihoodProject)}


def test_takes_exactly_the_selected_items_and_is_idempotent(app, body):
    ballot = make_ballot(body, OUTCOMES)
    created = services.projects_from_ballot(ballot, actor="test")
    assert sorted(p.title for p in created) == ["城乡公交西岭线", "新建城东公办幼儿园"]
    assert all(p.status == "not_started" and p.progress == 0 and p.body_id == body.id for p in created)
    assert {p.ballot_item_id for p in created} == {i.id for i in ballot.items if OUTCOMES[i.title] == "selected"}
    assert services.projects_from_ballot(ballot, actor="test") == []
    assert db.session.query(LivelihoodProject).count() == 2


def test_runoff_round_adds_its_selected_items(app, body):
    first = make_ballot(body, OUTCOMES)
    services.projects_from_ballot(first)
    tied = {i.title: i for i in first.items if OUTCOMES[i.title] == "tie"}
    runoff = make_ballot(body, {"老旧小区加装电梯": "selected", "柳溪河污水管网": "not_selected"},
                         parent=first, sources=tied)
    created = services.projects_from_ballot(runoff)
    assert [p.title for p in created] == ["老旧小区加装电梯"]
    assert titles() == {"新建城东公办幼儿园", "城乡公交西岭线", "老旧小区加装电梯"}


def test_candidate_details_follow_the_item_reference_through_runoffs(app, body):
    candidate = Candidate(body_id=body.id, year=2026, title="老旧小区加装电梯", description="补贴 40 部电梯",
                          budget=Decimal("600.00"), department="县住房和城乡建设局",
                          planned_completion=date(2026, 10, 30))
    db.session.add(candidate)
    db.session.commit()
    first = make_ballot(body, {"老旧小区加装电梯": "tie", "柳溪河污水管网": "tie"},
                        references={"老旧小区加装电梯": f"candidate:{candidate.id}"})
    tied = {i.title: i for i in first.items}
    runoff = make_ballot(body, {"老旧小区加装电梯": "selected", "柳溪河污水管网": "not_selected"}, parent=first,
                         sources=tied)
    [project] = services.projects_from_ballot(runoff)
    assert project.candidate_id == candidate.id
    assert (project.department, project.budget, project.planned_completion, project.year) == (
        "县住房和城乡建设局", Decimal("600.00"), date(2026, 10, 30), 2026)


def test_candidate_of_another_body_is_not_linked(app, body, other_body):
    stranger = Candidate(body_id=other_body.id, year=2026, title="新建城东公办幼儿园", budget=Decimal("1"),
                         department="外县教育局")
    db.session.add(stranger)
    db.session.commit()
    ballot = make_ballot(body, {"新建城东公办幼儿园": "selected"},
                         references={"新建城东公办幼儿园": f"candidate:{stranger.id}"})
    [project] = services.projects_from_ballot(ballot)
    assert project.candidate_id is None and project.department == ""


@pytest.mark.parametrize("state, kind, code", [
    ("draft", "selection", "results_not_available"),
    ("open", "selection", "results_not_available"),
    ("closed", "motion", "not_selection_ballot"),
])
def test_refused_before_results_or_for_other_kinds(app, body, state, kind, code):
    ballot = make_ballot(body, {"一个项目": "selected"}, state=state, kind=kind)
    with pytest.raises(Refusal) as refused:
        services.projects_from_ballot(ballot)
    assert refused.value.status == 409 and refused.value.code == code
    assert db.session.query(LivelihoodProject).count() == 0


def test_publishing_a_selection_ballot_tracks_it_in_the_same_transaction(app, body):
    from voting.ballots.services import publish_ballot

    ballot = make_ballot(body, OUTCOMES, state="closed")
    assert db.session.query(LivelihoodProject).count() == 0
    publish_ballot(ballot, actor="test")
    assert titles() == {"新建城东公办幼儿园", "城乡公交西岭线"}
    assert services.projects_from_ballot(ballot) == []


def test_secretariat_page_generates_projects(app, body, staff, secretariat_client):
    ballot = make_ballot(body, OUTCOMES, state="closed")
    page = secretariat_client.get("/tracking/generate")
    assert page.status_code == 200 and "生成 2 个项目" in page.get_data(as_text=True)
    response = secretariat_client.post(f"/tracking/generate/{ballot.id}")
    assert response.status_code == 302
    assert titles() == {"新建城东公办幼儿园", "城乡公交西岭线"}


def test_another_bodys_secretariat_cannot_generate(app, body, other_body):
    from tests.factories import login
    from tests.factories import gen_user

    ballot = make_ballot(body, OUTCOMES, state="closed")
    client = login(app.test_client(), gen_user("secretariat", other_body))
    assert client.post(f"/tracking/generate/{ballot.id}").status_code == 404
    assert db.session.query(LivelihoodProject).count() == 0


def test_a_real_sitting_lists_its_selected_items_once_published(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=3, seats=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    for i in range(3):
        assert s.vote(i, bid, {ids[0]: "yes", ids[1]: "yes", ids[2]: "no"}).status_code == 201
    s.act(bid, "close")
    assert api.get("/api/v1/projects").get_json() == {"projects": []}
    s.act(bid, "publish")
    listed = api.get("/api/v1/projects").get_json()["projects"]
    assert sorted(p["title"] for p in listed) == ["项目1", "项目2"]
    assert all(p["status"] == "not_started" and p["progress"] == 0 for p in listed)
