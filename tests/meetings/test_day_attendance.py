"""Attendance through the day (issue #20): leave, signing out, re-entry; present follows,
each ballot is issued to those present at its opening, a deputy who left cannot vote
until re-entry, and every change is audited."""
import json

from sqlalchemy import select

from tests.ballots.sitting import Sitting
from voting.extensions import db
from voting.integrity.models import AuditEntry


def _code(response):
    return response.get_json()["error"]["code"]


def _entries(action):
    return [(e.subject, json.loads(e.details)) for e in
            db.session.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id))]


def test_sign_out_and_re_entry_move_present_and_the_next_ballots_issued(api, staff):
    s = Sitting(api, staff, size=6)
    s.check_in(range(6))
    first = s.ballot(items=2, seats=1)
    assert s.act(first["id"], "open")["issued"] == 6
    # the deputy signs out on its own tablet
    response = api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(0))
    assert response.status_code == 200, response.get_json()
    assert (response.get_json()["present"], response.get_json()["left"]) == (5, 1)
    # the secretariat signs another out
    response = api.post(f"/api/v1/meetings/{s.mid}/signout", s.secretariat, json={"deputy_id": s.deputies[1]["id"]})
    assert response.get_json()["present"] == 4
    # present follows on the meeting, the attendance and the live snapshot
    assert api.get(f"/api/v1/meetings/{s.mid}", s.secretariat).get_json()["present"] == 4
    assert api.get(f"/api/v1/meetings/{s.mid}/live", s.secretariat).get_json()["left"] == 2
    # a deputy who left cannot vote on the open ballot until re-entry
    vote = s.vote(0, first["id"], {first["items"][0]["id"]: "yes"})
    assert vote.status_code == 403 and _code(vote) == "deputy_left"
    # the next ballot is issued to the 4 present at its opening
    second = s.ballot(items=2, seats=1)
    assert s.act(second["id"], "open")["issued"] == 4
    opened = [d for subject, d in _entries("ballot_opened") if subject == f"ballot:{second['id']}"]
    assert (opened[0]["issued"], opened[0]["present"], opened[0]["left"], opened[0]["on_leave"]) == (4, 4, 2, 0)
    # deputy 0 comes back (re-entry is a check-in): may vote on the first, not on the second
    assert api.post(f"/api/v1/meetings/{s.mid}/checkin", s.token(0)).get_json()["present"] == 5
    assert s.vote(0, first["id"], {first["items"][0]["id"]: "yes"}).status_code == 201
    late = s.vote(0, second["id"], {second["items"][0]["id"]: "yes"})
    assert late.status_code == 403 and _code(late) == "not_eligible"
    third = s.ballot(items=2, seats=1)
    assert s.act(third["id"], "open")["issued"] == 5
    s.act(second["id"], "close")
    assert s.tally(second["id"]).get_json()["issued"] == 4  # on the tally sheet
    checkins = [d for subject, d in _entries("checked_in") if subject == f"deputy:{s.deputies[0]['id']}"]
    assert checkins[-1]["re_entry"] == "left"
    assert [subject for subject, _ in _entries("signed_out")] == [f"deputy:{s.deputies[0]['id']}",
                                                                  f"deputy:{s.deputies[1]['id']}"]


def test_leave_by_the_secretariat_and_the_presence_list(api, staff):
    s = Sitting(api, staff, size=4)
    s.check_in([0, 1])
    for index in (1, 3):  # one present, one never came
        response = api.post(f"/api/v1/meetings/{s.mid}/leave", s.secretariat, json={"deputy_id": s.deputies[index]["id"]})
        assert response.status_code == 200, response.get_json()
    figures = response.get_json()
    assert (figures["present"], figures["on_leave"], figures["left"]) == (1, 2, 0)
    again = api.post(f"/api/v1/meetings/{s.mid}/leave", s.secretariat, json={"deputy_id": s.deputies[3]["id"]})
    assert again.status_code == 409 and _code(again) == "already_on_leave"
    listing = api.get(f"/api/v1/meetings/{s.mid}/presence", s.secretariat).get_json()
    assert [d["status"] for d in listing["deputies"]] == ["present", "leave", "absent", "leave"]
    assert [d["was_present"] for _, d in _entries("leave_granted")] == [True, False]
    # a deputy on leave who turns up checks in as usual
    assert api.post(f"/api/v1/meetings/{s.mid}/checkin", s.token(3)).get_json()["present"] == 2
    assert api.get(f"/api/v1/meetings/{s.mid}/presence", s.secretariat).get_json()["on_leave"] == 1


def test_refusals_store_nothing(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0])
    before = len(_entries("signed_out"))
    absent = api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(1))
    assert absent.status_code == 409 and _code(absent) == "not_present"
    other = api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(0), json={"deputy_id": s.deputies[1]["id"]})
    assert other.status_code == 403 and _code(other) == "forbidden"
    missing = api.post(f"/api/v1/meetings/{s.mid}/signout", s.secretariat, json={})
    assert missing.status_code == 400 and _code(missing) == "bad_request"
    unknown = api.post(f"/api/v1/meetings/{s.mid}/leave", s.secretariat, json={"deputy_id": "999999"})
    assert unknown.status_code == 404 and _code(unknown) == "not_found"
    by_deputy = api.post(f"/api/v1/meetings/{s.mid}/leave", s.token(0), json={"deputy_id": s.deputies[0]["id"]})
    assert by_deputy.status_code == 403
    assert len(_entries("signed_out")) == before
    assert api.get(f"/api/v1/meetings/{s.mid}/presence", s.secretariat).get_json()["present"] == 1


def test_the_quorum_gate_counts_those_present_at_each_open(api, staff):
    s = Sitting(api, staff, size=3)  # quorum 2 of 3
    s.check_in([0, 1])
    ballot = s.ballot()
    api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(1))
    refused = api.post(f"/api/v1/ballots/{ballot['id']}/open", s.secretariat)
    assert refused.status_code == 409 and _code(refused) == "quorum_not_met"
    api.post(f"/api/v1/meetings/{s.mid}/checkin", s.token(1))
    assert s.act(ballot["id"], "open")["issued"] == 2
