"""What a deputy's tablet is told (issue #20): a paper-ballot holder is told so, not just
'already voted'; the ballot says how the deputy took part (never a choice) and whether
the deputy is in the hall."""
from tests.ballots.sitting import Sitting
from voting.ballots import services
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.meetings.models import Deputy


def test_a_paper_holder_is_told_it_holds_a_paper_ballot(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    services.issue_paper_ballot(db.session.get(Ballot, int(ballot["id"])),
                                db.session.get(Deputy, int(s.deputies[0]["id"])), actor="user:teller")
    refused = s.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"})
    error = refused.get_json()["error"]
    assert refused.status_code == 409 and error["code"] == "already_voted"
    assert "纸质选票" in error["message"]
    seen = api.get(f"/api/v1/ballots/{ballot['id']}", s.token(0)).get_json()
    assert (seen["voted"], seen["voted_channel"], seen["attendance"]) == (True, "paper", "present")
    assert s.vote(1, ballot["id"], {}).status_code == 201
    again = s.vote(1, ballot["id"], {})
    assert again.status_code == 409 and "纸质" not in again.get_json()["error"]["message"]
    assert api.get(f"/api/v1/ballots/{ballot['id']}", s.token(1)).get_json()["voted_channel"] == "tablet"


def test_a_late_deputy_and_one_who_left_see_their_standing(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1])
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    api.post(f"/api/v1/meetings/{s.mid}/checkin", s.token(2))  # late
    late = api.get(f"/api/v1/ballots/{ballot['id']}", s.token(2)).get_json()
    assert (late["eligible"], late["voted"], late["attendance"]) == (False, False, "present")
    api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(1))
    left = api.get(f"/api/v1/ballots/{ballot['id']}", s.token(1)).get_json()
    assert (left["eligible"], left["attendance"]) == (True, "left")


def test_no_paper_ballot_for_a_deputy_who_left(api, staff):
    from voting.errors import Refusal
    import pytest

    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(0))
    with pytest.raises(Refusal) as refused:
        services.issue_paper_ballot(db.session.get(Ballot, int(ballot["id"])),
                                    db.session.get(Deputy, int(s.deputies[0]["id"])), actor="user:teller")
    db.session.rollback()
    assert refused.value.code == "deputy_left"
    assert api.get(f"/api/v1/ballots/{ballot['id']}", s.secretariat).get_json()["progress"]["voted"] == 0
