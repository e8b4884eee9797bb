"""The secretariat's console for the day of the sitting (issue #20): signing out,
leave and re-entry from the check-in page, the timer's choice, the ballot page when
time is up, a rehearsal's sheet; and `flask sweep-timers`."""
from datetime import timedelta

from tests.ballots.sitting import Sitting
from tests.factories import login
from voting.accounts.models import utcnow
from voting.ballots.models import Ballot
from voting.cli import sweep_timers_command
from voting.extensions import db
from voting.meetings.models import Meeting


def test_sign_out_leave_and_re_entry_from_the_check_in_page(client, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1])
    login(client, staff["secretariat"])
    d0, d1, d2 = (s.deputies[i]["id"] for i in range(3))
    assert client.post(f"/meetings/{s.mid}/checkin/{d0}/out").status_code == 302
    assert client.post(f"/meetings/{s.mid}/checkin/{d2}/leave").status_code == 302
    page = client.get(f"/meetings/{s.mid}/checkin").get_data(as_text=True)
    assert f'id="deputy-{d0}" class="is-absent" data-status="left"' in page
    assert f'id="deputy-{d2}" class="is-absent" data-status="leave"' in page
    assert 'data-figure="present">1<' in page and 'data-figure="left">1<' in page and 'data-figure="on_leave">1<' in page
    again = client.post(f"/meetings/{s.mid}/checkin/{d0}/out", follow_redirects=True)
    assert "当前不在场" in again.get_data(as_text=True)  # refused with its message, nothing stored
    assert client.post(f"/meetings/{s.mid}/checkin/{d0}").status_code == 302  # 重新入场
    assert api.get(f"/api/v1/meetings/{s.mid}/presence", s.secretariat).get_json()["present"] == 2
    assert client.post(f"/meetings/{s.mid}/checkin/{d1}/away").status_code == 404


def test_the_timer_choice_and_the_ask_on_the_ballot_page(app, client, api, staff):
    clock = {"now": utcnow().replace(microsecond=0)}
    app.config["VOTING_CLOCK"] = lambda: clock["now"]
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    login(client, staff["secretariat"])
    assert client.post(f"/meetings/{s.mid}/timer-expiry", data={"timer_expiry": "ask"}).status_code == 302
    assert db.session.get(Meeting, int(s.mid), populate_existing=True).timer_expiry == "ask"
    bad = client.post(f"/meetings/{s.mid}/timer-expiry", data={"timer_expiry": "never"}, follow_redirects=True)
    assert "处理方式只能是" in bad.get_data(as_text=True)
    ballot = s.ballot(duration_seconds=90)
    s.act(ballot["id"], "open")
    page = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
    assert "data-deadline=" in page and 'id="timer-ask"' not in page
    clock["now"] += timedelta(seconds=90)
    result = app.test_cli_runner().invoke(sweep_timers_command)
    assert result.exit_code == 0 and "已提示秘书处结束" in result.output
    page = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
    assert 'id="timer-ask"' in page and "表决时间已到" in page and "data-timer-expired" in page
    assert db.session.get(Ballot, int(ballot["id"]), populate_existing=True).state == "open"


def test_a_rehearsal_sheet_is_marked_and_offers_no_download(client, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(rehearsal=True)
    s.act(ballot["id"], "open")
    s.act(ballot["id"], "close")
    login(client, staff["secretariat"])
    sheet = client.get(f"/sheets/{ballot['id']}").get_data(as_text=True)
    assert "试表决 · " in sheet and "data-rehearsal" in sheet and "tally.csv" not in sheet
    detail = client.get(f"/ballots/{ballot['id']}").get_data(as_text=True)
    assert "这是试表决" in detail and "公布结果" not in detail
