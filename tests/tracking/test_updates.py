"""Progress updates: only the project's own department reports; every update is a new
row; the project's progress follows the latest published update."""
from datetime import date

import pytest

from tests.factories import gen_user, login
from tests.tracking.conftest import EDUCATION, TRANSPORT, add_milestone, make_project
from voting.extensions import db
from voting.tracking import services
from voting.tracking.models import LivelihoodProject, Milestone, ProgressUpdate, SupervisionProposal

FORM = {"percent": "30", "text": "完成主体结构招标，施工单位已进场。", "publish": "1"}


def update_rows(project_id=None) -> list[ProgressUpdate]:
    query = db.session.query(ProgressUpdate)
    if project_id is not None:
        query = query.filter_by(project_id=project_id)
    return query.order_by(ProgressUpdate.id).all()


def fresh(project) -> LivelihoodProject:
    db.session.expire_all()
    return db.session.get(LivelihoodProject, project.id)


def test_department_publishes_on_its_own_project(project, department_client):
    response = department_client.post(f"/tracking/projects/{project.id}/updates", data=FORM)
    assert response.status_code == 302
    [update] = update_rows()
    assert update.published and update.percent == 30 and update.author_id is not None
    assert (fresh(project).progress, fresh(project).status) == (30, "in_progress")


def test_department_cannot_update_another_departments_project(app, body, department_client):
    theirs = make_project(body, department=TRANSPORT, title="城乡公交西岭线")
    response = department_client.post(f"/tracking/projects/{theirs.id}/updates", data=FORM)
    assert response.status_code == 403
    assert department_client.get(f"/tracking/projects/{theirs.id}").status_code == 403
    assert department_client.post(f"/tracking/projects/{theirs.id}/milestones",
                                  data={"title": "开工", "due_date": "2026-03-01"}).status_code == 403
    assert update_rows() == [] and db.session.query(Milestone).count() == 0
    assert fresh(theirs).progress == 0


def test_department_of_another_body_gets_not_found(app, project, other_body):
    # Same department name, other congress: the project does not exist for it.
    client = login(app.test_client(), gen_user("department", other_body, department=EDUCATION))
    assert client.post(f"/tracking/projects/{project.id}/updates", data=FORM).status_code == 404
    assert client.get(f"/tracking/projects/{project.id}").status_code == 404
    assert update_rows() == []


def test_department_without_department_name_reports_nothing(app, body, project):
    client = login(app.test_client(), gen_user("department", body))
    assert client.post(f"/tracking/projects/{project.id}/updates", data=FORM).status_code == 403
    assert update_rows() == []


@pytest.mark.parametrize("role", ["secretariat", "leader", "teller", "station", "admin"])
def test_other_roles_do_not_post_progress(app, project, staff, role):
    client = login(app.test_client(), staff[role])
    assert client.post(f"/tracking/projects/{project.id}/updates", data=FORM).status_code == 403
    assert update_rows() == []


def test_service_refuses_a_foreign_department_too(app, body, department):
    theirs = make_project(body, department=TRANSPORT, title="城乡公交西岭线")
    with pytest.raises(Exception) as refused:
        services.create_update(theirs, department, {"percent": "10", "text": "越权填报的内容"}, publish=True)
    assert getattr(refused.value, "status", None) == 403
    assert update_rows() == []


def test_every_update_is_a_new_row_and_the_latest_published_counts(project, department_client):
    url = f"/tracking/projects/{project.id}/updates"
    for percent in ("20", "45"):
        assert department_client.post(url, data={**FORM, "percent": percent}).status_code == 302
    assert department_client.post(url, data={**FORM, "percent": "80", "publish": "0"}).status_code == 302
    rows = update_rows(project.id)
    assert [(u.percent, u.published) for u in rows] == [(20, True), (45, True), (80, False)]
    assert fresh(project).progress == 45  # a draft changes nothing
    first_text = rows[0].text
    draft = rows[2]
    assert department_client.post(f"/tracking/updates/{draft.id}/publish").status_code == 302
    rows = update_rows(project.id)
    assert len(rows) == 3 and rows[0].text == first_text and rows[0].percent == 20
    assert fresh(project).progress == 80
    assert department_client.post(f"/tracking/updates/{draft.id}/publish").status_code == 409


def test_bad_input_stores_nothing(project, department_client):
    url = f"/tracking/projects/{project.id}/updates"
    for data in ({**FORM, "percent": "101"}, {**FORM, "percent": "-1"}, {**FORM, "percent": "abc"},
                 {**FORM, "text": ""}, {**FORM, "text": "x\x00y"}):
        response = department_client.post(url, data=data)
        assert response.status_code == 400, data
        assert "error" in response.get_data(as_text=True)
    assert update_rows() == []


def test_overdue_milestone_flags_the_project_on_pages_and_board(app, project, staff, department_client):
    add_milestone(project, "完成招标", date(2001, 1, 1))
    assert fresh(project).status_on(date.today()) == "delayed"
    leader = login(app.test_client(), staff["leader"])
    board = leader.get("/tracking/board").get_data(as_text=True)
    assert project.title in board and "完成招标" in board
    secretariat = login(app.test_client(), staff["secretariat"])
    assert project.title in secretariat.get("/tracking/board").get_data(as_text=True)
    assert "滞后" in department_client.get(f"/tracking/projects/{project.id}").get_data(as_text=True)
    listed = app.test_client().get("/api/v1/projects").get_json()["projects"]
    assert [p["status"] for p in listed] == ["delayed"]


def test_marking_the_milestone_done_clears_the_delay(app, project, department_client):
    milestone = add_milestone(project, "完成招标", date(2001, 1, 1))
    assert department_client.post(f"/tracking/milestones/{milestone.id}/done").status_code == 302
    assert fresh(project).status_on(date.today()) == "not_started"
    assert department_client.post(f"/tracking/milestones/{milestone.id}/done").status_code == 409


def test_board_lists_only_readable_bodies(app, body, other_body, staff):
    theirs = make_project(other_body, title="外县项目")
    add_milestone(theirs, "外县节点", date(2001, 1, 1))
    leader = login(app.test_client(), staff["leader"])
    assert "外县项目" not in leader.get("/tracking/board").get_data(as_text=True)


def test_inspection_proposals_and_the_departments_single_reply(app, project, secretariat_client, department_client):
    response = secretariat_client.post(f"/tracking/projects/{project.id}/inspections", data={
        "visited_on": "2026-05-20", "deputies": "王建国、李秀英", "findings": "施工进度较计划慢两周。",
        "proposals": "加快主体施工\n做好施工期间交通疏导"})
    assert response.status_code == 302
    proposals = db.session.query(SupervisionProposal).order_by(SupervisionProposal.id).all()
    assert [p.text for p in proposals] == ["加快主体施工", "做好施工期间交通疏导"]
    url = f"/tracking/supervision/{proposals[0].id}/reply"
    assert secretariat_client.post(url, data={"reply": "已增加施工班组。"}).status_code == 403
    assert department_client.post(url, data={"reply": "已增加施工班组。"}).status_code == 302
    assert department_client.post(url, data={"reply": "改写答复"}).status_code == 409
    db.session.expire_all()
    assert db.session.get(SupervisionProposal, proposals[0].id).reply == "已增加施工班组。"
    page = department_client.get(f"/tracking/projects/{project.id}").get_data(as_text=True)
    assert "已增加施工班组。" in page and "王建国、李秀英" in page


def test_department_list_shows_only_its_own_projects(app, body, project, department_client):
    make_project(body, department=TRANSPORT, title="城乡公交西岭线")
    page = department_client.get("/tracking/projects?year=2026").get_data(as_text=True)
    assert project.title in page and "城乡公交西岭线" not in page


def test_parent_body_reads_but_does_not_write(app, body):
    from tests.factories import gen_body

    child = gen_body(parent=body)
    theirs = make_project(child, title="乡镇项目")
    parent_secretariat = login(app.test_client(), gen_user("secretariat", body))
    assert parent_secretariat.get(f"/tracking/projects/{theirs.id}").status_code == 200
    assert parent_secretariat.post(f"/tracking/projects/{theirs.id}/milestones",
                                   data={"title": "开工", "due_date": "2026-03-01"}).status_code == 403
    assert parent_secretariat.post(f"/tracking/projects/{theirs.id}/edit",
                                   data={"department": "某单位"}).status_code == 403
    assert db.session.query(Milestone).count() == 0


def test_secretariat_edits_details_but_not_the_title(project, secretariat_client):
    response = secretariat_client.post(f"/tracking/projects/{project.id}/edit", data={
        "department": TRANSPORT, "budget": "12.5", "planned_completion": "2026-12-31", "description": "说明",
        "title": "改名"})
    assert response.status_code == 302
    edited = fresh(project)
    assert (edited.department, str(edited.budget), edited.title) == (TRANSPORT, "12.50", "新建城东公办幼儿园")
    bad = secretariat_client.post(f"/tracking/projects/{project.id}/edit", data={"department": "", "budget": "-1"})
    assert bad.status_code == 400 and fresh(project).department == TRANSPORT


@pytest.mark.parametrize("path", ["/tracking/projects", "/tracking/board", "/tracking/generate",
                                  "/tracking/projects/{id}"])
def test_staff_pages_need_a_login(app, project, path):
    response = app.test_client().get(path.format(id=project.id))
    assert response.status_code == 302 and "/login" in response.headers["Location"]


@pytest.mark.parametrize("role, path, status", [
    ("teller", "/tracking/projects", 403), ("station", "/tracking/projects", 403),
    ("leader", "/tracking/generate", 403), ("department", "/tracking/board", 403),
    ("leader", "/tracking/board", 200), ("admin", "/tracking/board", 200),
    ("secretariat", "/tracking/generate", 200), ("leader", "/tracking/projects/{id}", 200),
])
def test_role_table(app, project, staff, role, path, status):
    client = login(app.test_client(), staff[role])
    assert client.get(path.format(id=project.id)).status_code == status


def test_year_report_reads_published_progress_only(app, body, project, department):
    services.create_update(project, department, {"percent": "40", "text": "公开的进展"}, publish=True)
    services.create_update(project, department, {"percent": "70", "text": "未公开的草稿"}, publish=False)
    add_milestone(project, "逾期节点", date(2001, 1, 1))
    [row] = services.year_report(body.id, 2026, date.today())
    assert row["progress"] == 40 and row["status"] == "delayed"
    assert row["latest_update"]["text"] == "公开的进展" and row["overdue_milestones"] == ["逾期节点"]
    assert services.year_report(body.id, 2025, date.today()) == []
