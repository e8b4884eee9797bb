"""The hall screen on the day of the sitting (issue #20): 请假 and 中途退场 beside 实到,
a rehearsal and a named ballot marked, a countdown, and 时间到 when the meeting asks."""
from datetime import timedelta

from tests.ballots.sitting import Sitting, release_database
from tests.factories import login
from tests.live.test_hall_screen import _screen_url
from voting.accounts.models import utcnow
from voting.ballots.timers import sweep_timers


def test_the_hall_shows_the_day(app, client, api, staff):
    clock = {"now": utcnow().replace(microsecond=0)}
    app.config["VOTING_CLOCK"] = lambda: clock["now"]
    s = Sitting(api, staff, size=9)
    s.check_in(range(8))
    login(client, staff["secretariat"])
    url = _screen_url(client, s.mid)
    api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(0))
    api.post(f"/api/v1/meetings/{s.mid}/leave", s.secretariat, json={"deputy_id": s.deputies[1]["id"]})
    api.post(f"/api/v1/meetings/{s.mid}/timer-expiry", s.secretariat, json={"timer_expiry": "ask"})
    ballot = s.ballot(rehearsal=True, secret=False, duration_seconds=150)
    s.act(ballot["id"], "open")
    release_database()
    html = client.get(url).get_data(as_text=True)
    assert 'data-figure="present">6<' in html and 'data-figure="on_leave">1<' in html and 'data-figure="left">1<' in html
    assert "data-rehearsal" in html and "试表决" in html and "记名表决" in html
    assert "data-deadline=" in html and "剩余 2:30" in html and "发出 <strong>6</strong>" in html
    clock["now"] += timedelta(seconds=150)
    assert sweep_timers(clock["now"]) == [(int(ballot["id"]), "asked")]
    html = client.get(url).get_data(as_text=True)
    assert "data-timer-expired" in html and "时间到" in html and "data-deadline=" not in html
