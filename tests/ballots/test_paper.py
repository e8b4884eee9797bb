"""Paper ballot hooks for tellers: issue a paper ballot, enter it; no double vote across channels."""
import pytest
from sqlalchemy import select

from tests.ballots.sitting import Sitting
from voting.ballots import services
from voting.ballots.models import Ballot, CastBallot, Participation
from voting.extensions import db
from voting.errors import Refusal
from voting.meetings.models import Deputy


@pytest.fixture
def live(api, staff):
    s = Sitting(api, staff, size=5)
    s.check_in(range(4))
    ballot = s.ballot(items=3, seats=2)
    s.act(ballot["id"], "open")
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.model = lambda: db.session.get(Ballot, int(s.bid))
    s.deputy = lambda index: db.session.get(Deputy, int(s.deputies[index]["id"]))
    return s


def refused_with(code, call, *args, **kwargs):
    with pytest.raises(Refusal) as refused:
        call(*args, **kwargs)
    db.session.rollback()
    assert refused.value.code == code
    return refused.value


def test_paper_ballot_then_tablet_is_refused_and_the_reverse(live):
    services.issue_paper_ballot(live.model(), live.deputy(0), actor="user:teller")
    response = live.vote(0, live.bid, {live.ids[0]: "yes"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_voted"
    assert live.vote(1, live.bid, {live.ids[0]: "yes"}).status_code == 201
    refused_with("already_voted", services.issue_paper_ballot, live.model(), live.deputy(1), actor="t")
    refused_with("already_voted", services.issue_paper_ballot, live.model(), live.deputy(0), actor="t")
    refused_with("not_eligible", services.issue_paper_ballot, live.model(), live.deputy(4), actor="t")


def test_paper_entries_are_counted_with_invalid_ones(app, live):
    for index in (0, 1):
        services.issue_paper_ballot(live.model(), live.deputy(index), actor="t")
    valid = services.record_paper_ballot(live.model(), {live.ids[0]: "yes"}, actor="t")
    invalid = services.record_paper_ballot(live.model(), {key: "yes" for key in live.ids}, actor="t")
    assert valid != invalid
    refused_with("paper_count_exceeded", services.record_paper_ballot, live.model(), {}, actor="t")
    refused_with("unknown_item", services.record_paper_ballot, live.model(), {"x": "yes"}, actor="t")
    assert live.vote(2, live.bid, {live.ids[0]: "yes", live.ids[1]: "yes"}).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 1, "paper": 2}
    assert (sheet["cast"], sheet["valid"], sheet["invalid"], sheet["not_voted"]) == (3, 2, 1, 1)
    assert sheet["items"][0]["counts"]["yes"] == 2 and sheet["items"][1]["counts"]["yes"] == 1
    flags = sorted(db.session.scalars(select(CastBallot.invalid)).all())
    assert flags == [False, False, True]
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output


def test_paper_entry_only_while_open(live):
    live.act(live.bid, "close")
    refused_with("ballot_not_open", services.record_paper_ballot, live.model(), {}, actor="t")
    refused_with("ballot_not_open", services.issue_paper_ballot, live.model(), live.deputy(0), actor="t")


def test_a_paper_ballot_taken_away_unreturned_is_issued_but_not_cast_and_verifies(app, live):
    """A deputy takes a paper ballot and leaves: the ballot still closes, the sheet counts
    that ballot as issued but not cast (未投), and `verify` passes."""
    for index in (0, 1):
        services.issue_paper_ballot(live.model(), live.deputy(index), actor="t")
    services.record_paper_ballot(live.model(), {live.ids[0]: "yes"}, actor="t")  # deputy 1's never comes back
    assert live.vote(2, live.bid, {live.ids[1]: "yes"}).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 1, "paper": 1}
    assert (sheet["issued"], sheet["cast"], sheet["not_voted"], sheet["valid"]) == (4, 2, 2, 2)
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output
    assert "参与 平板 1 / 纸质 2，选票 平板 1 / 纸质 1（纸质选票未收回 1 张）" in result.output


def test_verify_fails_on_more_paper_entered_than_issued(app, live):
    services.issue_paper_ballot(live.model(), live.deputy(0), actor="t")
    services.record_paper_ballot(live.model(), {live.ids[0]: "yes"}, actor="t")
    live.act(live.bid, "close")
    db.session.delete(db.session.scalars(select(Participation).where(Participation.channel == "paper")).one())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1 and "录入纸质选票 1 张多于发出的 0 张" in result.output


def test_verify_fails_on_a_removed_paper_entry_while_open(app, live):
    """Entered ≤ issued alone would not see an entered paper ballot deleted before the
    count; the audit log's record of every entry does."""
    for index in (0, 1):
        services.issue_paper_ballot(live.model(), live.deputy(index), actor="t")
    for _ in range(2):
        services.record_paper_ballot(live.model(), {live.ids[0]: "yes"}, actor="t")
    db.session.delete(db.session.scalars(select(CastBallot).where(CastBallot.channel == "paper")).first())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 1 and "录入纸质选票 1 张与审计日志记录的 2 张不符" in result.output


def test_counted_paper_totals_are_added_to_the_tally_and_verified(app, live, monkeypatch):
    from voting.ballots import paper

    monkeypatch.setattr(paper, "TOTALS_IN_TALLY", True)
    for index in (0, 1, 2):
        services.issue_paper_ballot(live.model(), live.deputy(index), actor="t")
    counts = {live.ids[0]: {"yes": 2, "no": 0}, live.ids[1]: {"yes": 1, "no": 1}, live.ids[2]: {"no": 1}}
    paper.enter_totals(live.model(), ballots=3, invalid=1, counts=counts, actor="t")
    assert live.vote(3, live.bid, {live.ids[0]: "yes"}).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 1, "paper": 3} and sheet["trackers"] == 1
    assert (sheet["cast"], sheet["valid"], sheet["invalid"]) == (4, 3, 1)
    assert sheet["items"][0]["counts"] == {"yes": 3, "no": 0, "abstain": 0}
    assert sheet["items"][2]["counts"] == {"yes": 0, "no": 1, "abstain": 2}
    result = app.test_cli_runner().invoke(args=["verify"])
    assert result.exit_code == 0, result.output
