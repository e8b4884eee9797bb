"""The meeting's display policy as the secretariat sets it: chosen with the meeting,
changed on the meeting page (audited), refused with a Chinese message when unknown."""
from sqlalchemy import select

from tests.factories import create_meeting, login
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Meeting


def test_chosen_with_the_meeting_and_changed_later(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client, results_shown="publish")
    assert db.session.get(Meeting, mid).results_shown == "publish"
    page = client.get(f"/meetings/{mid}").get_data(as_text=True)
    assert '<span id="results-shown-text">结果公布后才显示</span>' in page
    response = client.post(f"/meetings/{mid}/results-shown", data={"results_shown": "close"})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Meeting, mid).results_shown == "close"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "meeting_results_shown_set")).one()
    assert entry.subject == f"meeting:{mid}"
    assert "表决结束即显示结果" in client.get(f"/meetings/{mid}").get_data(as_text=True)


def test_an_unknown_policy_stores_nothing(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    assert db.session.get(Meeting, mid).results_shown == "close"  # the default: as the hall screen always did
    response = client.post(f"/meetings/{mid}/results-shown", data={"results_shown": "never"}, follow_redirects=True)
    assert response.status_code == 200 and "结果显示方式应为" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Meeting, mid).results_shown == "close"
    refused = client.post("/meetings", data={"name": "另一次会议", "year": "2026", "results_shown": "never"})
    assert refused.status_code == 400 and "结果显示方式应为" in refused.get_data(as_text=True)


def test_leaders_cannot_change_it(client, staff):
    login(client, staff["secretariat"])
    mid = create_meeting(client)
    login(client, staff["leader"])
    assert client.post(f"/meetings/{mid}/results-shown", data={"results_shown": "publish"}).status_code == 403
    db.session.expire_all()
    assert db.session.get(Meeting, mid).results_shown == "close"
