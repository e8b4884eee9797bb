"""The deputy's tablet links to the anonymous comments page (述职评议意见) only when
the deputy's meeting holds an officials' appraisal whose ballot is in that meeting:
not for a project-report appraisal, not before the ballot exists, not for a deputy
of another meeting."""
from sqlalchemy import select

from tests.appraisals.conftest import Hall, make_project
from tests.appraisals.test_officials_and_access import OFFICIALS_CSV, import_csv, new_campaign
from voting.appraisals.models import Official
from voting.extensions import db
from voting.meetings.services import issue_card

LINKS = ('id="comments-link-wait"', 'id="comments-link-done"')


def _tablet(app, deputy):
    client = app.test_client()
    card = issue_card(deputy, actor="test")
    assert client.get(f"/card/{card}").status_code == 302
    return client


def _links(client) -> list[bool]:
    response = client.get("/tablet")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    return [link in page for link in LINKS]


def test_the_comments_link_appears_only_with_an_officials_ballot_in_the_meeting(app, body, secretariat):
    here, elsewhere = Hall(body, 2), Hall(body, 2)
    deputy_here = _tablet(app, here.deputies[0])
    deputy_elsewhere = _tablet(app, elsewhere.deputies[0])
    assert _links(deputy_here) == [False, False]

    # A project-report appraisal voted in this meeting: nothing to comment on.
    projects = new_campaign(secretariat, title="2026年民生实事项目实施情况满意度测评")
    project = make_project(body)
    secretariat.post(f"/appraisals/{projects.id}/items", data={"project": [str(project.id)]})
    assert secretariat.post(f"/appraisals/{projects.id}/ballot",
                            data={"meeting": str(here.meeting.id)}).status_code == 302
    assert _links(deputy_here) == [False, False]

    # An officials' appraisal without its ballot yet: no link either.
    assert import_csv(secretariat, OFFICIALS_CSV).status_code == 302
    officials = new_campaign(secretariat, title="2026年述职评议")
    ids = [str(i) for i in db.session.scalars(select(Official.id))]
    assert secretariat.post(f"/appraisals/{officials.id}/items", data={"official": ids}).status_code == 302
    assert _links(deputy_here) == [False, False]
    assert _links(deputy_elsewhere) == [False, False]

    # Its ballot goes into the other meeting: only that meeting's tablets link to the page.
    assert secretariat.post(f"/appraisals/{officials.id}/ballot",
                            data={"meeting": str(elsewhere.meeting.id)}).status_code == 302
    assert _links(deputy_here) == [False, False]
    assert _links(deputy_elsewhere) == [True, True]
    page = deputy_elsewhere.get("/tablet").get_data(as_text=True)
    assert 'href="/appraisals/comments"' in page
    comments = deputy_elsewhere.get("/appraisals/comments").get_data(as_text=True)
    assert "王建国（局长）" in comments and 'href="/tablet"' in comments
    assert "本次会议没有需要填写意见的述职评议" in deputy_here.get("/appraisals/comments").get_data(as_text=True)
