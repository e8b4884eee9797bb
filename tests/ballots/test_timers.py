"""The ballot timer (issue #20): a preset duration, a deadline set at open, and at zero
the ballot closes by itself or the secretariat is asked, as the meeting chose. Time is
moved with the app's clock (VOTING_CLOCK); nothing sleeps."""
import json
from datetime import timedelta

from sqlalchemy import select

from tests.ballots.sitting import Sitting
from voting.accounts.models import utcnow
from voting.ballots.models import Ballot
from voting.ballots.timers import sweep_timers
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.live.hub import Hub


def _code(response):
    return response.get_json()["error"]["code"]


class Clock:
    def __init__(self):
        self.now = utcnow().replace(microsecond=0)

    def __call__(self):
        return self.now


def _timed_sitting(app, api, staff, seconds=60):
    clock = Clock()
    app.config["VOTING_CLOCK"] = clock
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1, duration_seconds=seconds)
    assert ballot["duration_seconds"] == seconds and ballot["deadline"] is None
    return s, ballot, clock


def test_a_timed_ballot_closes_at_zero_and_is_audited(app, api, staff):
    s, ballot, clock = _timed_sitting(app, api, staff)
    opened = s.act(ballot["id"], "open")
    assert opened["deadline"] is not None and 0 < opened["remaining_seconds"] <= 60
    assert s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"}).status_code == 201
    clock.now += timedelta(seconds=59)
    assert sweep_timers(clock()) == []
    assert api.get(f"/api/v1/ballots/{ballot['id']}", s.secretariat).get_json()["state"] == "open"
    clock.now += timedelta(seconds=1)
    # the next vote is the event that finds the time is up: the ballot closes, the vote is refused
    late = s.vote(1, ballot["id"], {ballot["items"][0]["id"]: "yes"})
    assert late.status_code == 409 and _code(late) == "ballot_not_open"
    got = api.get(f"/api/v1/ballots/{ballot['id']}", s.secretariat).get_json()
    assert (got["state"], got["timer_expired"], got["remaining_seconds"]) == ("closed", True, None)
    assert s.tally(ballot["id"]).get_json()["cast"] == 1
    entries = {e.action: e for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.subject == f"ballot:{ballot['id']}"))}
    assert json.loads(entries["ballot_timer_expired"].details)["action"] == "closed"
    assert entries["ballot_closed"].actor == "system:timer"


def test_the_meeting_may_choose_to_be_asked_instead(app, api, staff):
    s, ballot, clock = _timed_sitting(app, api, staff, seconds=30)
    response = api.post(f"/api/v1/meetings/{s.mid}/timer-expiry", s.secretariat, json={"timer_expiry": "ask"})
    assert response.status_code == 200 and response.get_json()["timer_expiry"] == "ask"
    s.act(ballot["id"], "open")
    clock.now += timedelta(seconds=31)
    swept = api.post(f"/api/v1/meetings/{s.mid}/timers/sweep", s.secretariat).get_json()
    assert swept["acted"] == [{"ballot_id": ballot["id"], "action": "asked"}]
    got = api.get(f"/api/v1/ballots/{ballot['id']}", s.secretariat).get_json()
    assert (got["state"], got["timer_expired"]) == ("open", True)
    assert sweep_timers(clock()) == []  # asked once
    assert s.vote(0, ballot["id"], {}).status_code == 201  # still open until the secretariat closes
    s.act(ballot["id"], "close")
    bad = api.post(f"/api/v1/meetings/{s.mid}/timer-expiry", s.secretariat, json={"timer_expiry": "later"})
    assert bad.status_code == 400 and _code(bad) == "bad_request"


def test_the_live_hub_drives_the_timer_while_anyone_watches(app, api, staff):
    from tests.ballots.sitting import release_database

    s, ballot, clock = _timed_sitting(app, api, staff, seconds=10)
    s.act(ballot["id"], "open")
    hub = Hub(app, autostart=False)
    with hub.watch(int(s.mid)):
        release_database()
        hub.poll_once()
        assert hub.current(int(s.mid)).snapshot["ballots"][0]["state"] == "open"
        clock.now += timedelta(seconds=10)
        release_database()
        assert hub.poll_once() == {int(s.mid)}
        assert hub.current(int(s.mid)).snapshot["ballots"][0]["state"] == "closed"
    assert db.session.get(Ballot, int(ballot["id"]), populate_existing=True).state == "closed"


def test_get_live_sweeps_too(app, api, staff):
    s, ballot, clock = _timed_sitting(app, api, staff, seconds=5)
    s.act(ballot["id"], "open")
    clock.now += timedelta(seconds=6)
    snapshot = api.get(f"/api/v1/meetings/{s.mid}/live", s.token(0)).get_json()
    assert snapshot["ballots"][0]["state"] == "closed" and snapshot["ballots"][0]["timer_expired"] is True


def test_bad_durations_are_refused(api, staff):
    s = Sitting(api, staff, size=3)
    for value in (0, -5, 86401, "60", True, 1.5):
        body = {"kind": "motion", "title": "限时", "items": [{"title": "甲"}], "duration_seconds": value}
        response = api.post(f"/api/v1/meetings/{s.mid}/ballots", s.secretariat, json=body)
        assert response.status_code == 400 and _code(response) == "bad_request", value
    assert api.get(f"/api/v1/meetings/{s.mid}/ballots", s.secretariat).get_json()["ballots"] == []
