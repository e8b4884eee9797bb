"""The secretariat's and the leaders' dashboards show the 滞后 projects of their body,
linked, as soon as a milestone is past its date and not done."""
from datetime import date

import pytest

from tests.factories import gen_user, login
from tests.tracking.conftest import add_milestone, make_project


def delayed_panel(client) -> str:
    response = client.get("/dashboard")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert 'id="dashboard-delayed"' in page, "no 滞后 panel on the dashboard"
    return page.split('id="dashboard-delayed"', 1)[1].split("</section>", 1)[0]


@pytest.mark.parametrize("role", ["secretariat", "leader"])
def test_overdue_milestone_puts_the_project_on_the_dashboard(app, body, staff, role):
    late = make_project(body, title="新建城东公办幼儿园")
    on_time = make_project(body, title="城区公交站台改造")
    add_milestone(on_time, "已按期完成", date(2001, 1, 1), done=date(2000, 12, 20))
    add_milestone(on_time, "明年的节点", date(2999, 1, 1))
    client = login(app.test_client(), staff[role])

    before = delayed_panel(client)
    assert 'id="delayed-count">0 个<' in before and "目前没有滞后的项目" in before
    assert late.title not in before

    add_milestone(late, "完成招标", date(2001, 1, 1))
    after = delayed_panel(client)
    assert 'id="delayed-count">1 个<' in after
    assert f'<a href="/tracking/projects/{late.id}">{late.title}</a>' in after
    assert on_time.title not in after


def test_the_dashboard_counts_only_readable_bodies(app, body, other_body, staff):
    theirs = make_project(other_body, title="外县项目")
    add_milestone(theirs, "外县节点", date(2001, 1, 1))
    panel = delayed_panel(login(app.test_client(), staff["leader"]))
    assert "外县项目" not in panel and 'id="delayed-count">0 个<' in panel


def test_titles_are_escaped_and_the_list_is_capped(app, body, staff):
    for n in range(12):
        add_milestone(make_project(body, title=f"<b>项目{n:02d}</b>"), "节点", date(2001, 1, 1))
    panel = delayed_panel(login(app.test_client(), staff["secretariat"]))
    assert 'id="delayed-count">12 个<' in panel
    assert "<b>项目" not in panel and "&lt;b&gt;项目00" in panel
    assert "&lt;b&gt;项目09" in panel and "&lt;b&gt;项目10" not in panel and "另有 2 个未列出" in panel
    assert 'href="/tracking/board"' in panel


@pytest.mark.parametrize("role", ["department", "teller", "station"])
def test_other_roles_have_no_delayed_panel(app, body, staff, project, role):
    add_milestone(project, "完成招标", date(2001, 1, 1))
    user = staff.get(role) or gen_user(role, body)
    page = login(app.test_client(), user).get("/dashboard").get_data(as_text=True)
    assert 'id="dashboard-delayed"' not in page and project.title not in page
