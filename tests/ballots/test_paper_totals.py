"""A whole analog count entered as totals per item plus the invalid count.

The totals are stored sealed (`PaperCount`) and `count_ballot` adds them to the tally
(`voting.ballots.paper.add_paper_counts`); they share the paper ballots issued with the
ballots entered one at a time."""
import pytest
from sqlalchemy import func, select

from tests.sheets.mixed import MixedSitting
from voting.ballots import counting, paper
from voting.ballots.models import Ballot
from voting.ballots.models import PaperCount
from voting.extensions import db
from voting.integrity.models import AuditEntry


@pytest.fixture
def live(api, staff):
    """6 deputies, all present; 3 candidates for 2 seats; open; 4 took paper ballots."""
    s = MixedSitting(api, staff, size=6)
    s.check_in(range(6))
    ballot = s.ballot(items=3, seats=2)
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(s.bid, "open")
    for index in range(4):
        s.issue(s.bid, index)
    return s


def post_totals(s, body: dict):
    return s.api.post(f"/api/v1/ballots/{s.bid}/paper/totals", s.teller, json=body)


def stored() -> tuple[int, int]:
    return (db.session.scalar(select(func.count()).select_from(PaperCount)),
            db.session.scalar(select(func.count()).select_from(AuditEntry)))


def good(s) -> dict:
    a, b, c = s.ids
    return {"ballots": 3, "invalid": 1, "counts": {a: {"yes": 2, "no": 0}, b: {"yes": 1, "no": 1},
                                                   c: {"yes": 1, "no": 0, "abstain": 1}}}


def test_totals_entry_can_be_switched_off(live, monkeypatch):
    monkeypatch.setattr(paper, "TOTALS_IN_TALLY", False)
    before = stored()
    refused = post_totals(live, good(live))
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "paper_totals_unavailable"
    assert stored() == before


def test_totals_are_stored_sealed_and_audited_without_counts(live):
    before = stored()
    answer = post_totals(live, good(live))
    assert answer.status_code == 201, answer.get_json()
    assert answer.get_json()["paper"] == {"issued": 4, "entered": 3, "remaining": 1}
    row = db.session.scalars(select(PaperCount)).one()
    assert row.ballots == 3 and b'"yes"' not in row.sealed and b"counts" not in row.sealed
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "paper_totals_recorded")).one()
    assert entry.details == '{"ballots": 3}'
    assert stored() == (before[0] + 1, before[1] + 1)
    ballot = db.session.get(Ballot, int(live.bid))
    [(ballots, invalid, counts)] = list(counting.unsealed_paper_counts(ballot))
    a, b, c = live.ids
    assert (ballots, invalid) == (3, 1)
    assert counts == {a: {"yes": 2, "no": 0, "abstain": 0}, b: {"yes": 1, "no": 1, "abstain": 0},
                      c: {"yes": 1, "no": 0, "abstain": 1}}


def test_totals_and_single_entries_share_the_paper_ballots_issued(live):
    assert post_totals(live, good(live)).status_code == 201
    live.enter(live.bid, {live.ids[0]: "yes"})
    before = stored()
    refused = live.api.post(f"/api/v1/ballots/{live.bid}/paper/ballots", live.teller, json={"choices": {}})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "paper_count_exceeded"
    refused = post_totals(live, {"ballots": 1, "invalid": 1, "counts": {key: {} for key in live.ids}})
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "paper_count_exceeded"
    assert stored() == before


@pytest.mark.parametrize("change, status, code", [
    (lambda b, ids: b.update(ballots=0), 400, "bad_request"),
    (lambda b, ids: b.update(ballots="3"), 400, "bad_request"),
    (lambda b, ids: b.update(invalid=4), 400, "bad_request"),
    (lambda b, ids: b.update(ballots=5, invalid=3), 409, "paper_count_exceeded"),
    (lambda b, ids: b["counts"].pop(ids[1]), 400, "bad_request"),
    (lambda b, ids: b["counts"].update({"99999": {"yes": 1}}), 422, "unknown_item"),
    (lambda b, ids: b["counts"][ids[0]].update(maybe=1), 422, "unknown_choice"),
    (lambda b, ids: b["counts"][ids[0]].update(yes=3), 400, "bad_request"),
    (lambda b, ids: b["counts"][ids[0]].update(yes=-1), 400, "bad_request"),
    (lambda b, ids: b["counts"][ids[2]].update(abstain=0), 400, "bad_request"),
    (lambda b, ids: b.update(counts={key: {"yes": 2, "no": 0} for key in ids}), 422, "too_many_yes"),
    (lambda b, ids: b.update(counts=[1, 2]), 400, "bad_request"),
])
def test_bad_totals_are_refused_and_store_nothing(live, change, status, code):
    body = good(live)
    change(body, live.ids)
    before = stored()
    refused = post_totals(live, body)
    assert (refused.status_code, refused.get_json()["error"]["code"]) == (status, code), refused.get_json()
    assert stored() == before


def test_totals_are_added_to_the_tally(app, live):
    assert post_totals(live, good(live)).status_code == 201
    live.enter(live.bid, {live.ids[1]: "yes"})
    assert live.vote(4, live.bid, {live.ids[0]: "yes", live.ids[2]: "no"}).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 1, "paper": 4}
    assert (sheet["cast"], sheet["invalid"], sheet["valid"], sheet["not_voted"]) == (5, 1, 4, 1)
    assert [item["counts"]["yes"] for item in sheet["items"]] == [3, 2, 1]
    assert sheet["items"][2]["counts"] == {"yes": 1, "no": 1, "abstain": 2}
    result = app.test_cli_runner().invoke(args=["verify", "--ballot", live.bid])
    assert result.exit_code == 0, result.output


def test_totals_with_a_paper_ballot_never_returned_verify(app, live):
    """4 paper ballots issued, a batch of 3 counted: the 4th was taken away. The sheet
    counts it as issued but not cast, and verify passes."""
    assert post_totals(live, good(live)).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 0, "paper": 3}
    assert (sheet["issued"], sheet["cast"], sheet["not_voted"]) == (6, 3, 3)
    result = app.test_cli_runner().invoke(args=["verify", "--ballot", live.bid])
    assert result.exit_code == 0, result.output
    assert "纸质选票未收回 1 张" in result.output


def test_a_removed_batch_fails_verify_while_open(app, live):
    assert post_totals(live, good(live)).status_code == 201
    db.session.delete(db.session.scalars(select(PaperCount)).one())
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["verify", "--ballot", live.bid])
    assert result.exit_code == 1 and "录入纸质选票 0 张与审计日志记录的 3 张不符" in result.output


def test_progress_counts_batches_so_the_close_dialog_agrees_with_the_sheet(live):
    """The close dialog's "尚有 N 人未投票" is issued − received; paper ballots entered
    as a batch are received, as the sheet's 未投 counts them."""
    from voting.ballots import reading

    assert post_totals(live, good(live)).status_code == 201
    ballot = db.session.get(Ballot, int(live.bid))
    progress = reading.progress(ballot)
    assert progress == {"issued": 6, "cast": 3, "voted": 4}
    live.act(live.bid, "close")
    sheet = live.api.get(f"/api/v1/ballots/{live.bid}/tally", live.teller).get_json()
    assert sheet["not_voted"] == progress["issued"] - progress["cast"] == 3
