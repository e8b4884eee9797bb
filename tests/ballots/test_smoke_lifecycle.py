"""A small sitting end to end: open, vote, close, tally, publish, receipts."""
from tests.factories import assert_refused
from tests.ballots.sitting import Sitting


def test_small_sitting(api, staff):
    s = Sitting(api, staff, size=6)
    s.check_in(range(5))
    ballot = s.ballot(items=3, seats=2)
    bid = ballot["id"]
    assert ballot["state"] == "draft" and ballot["round"] == 1
    opened = s.act(bid, "open")
    assert opened["state"] == "open" and opened["issued"] == 5 and opened["total"] == 6
    ids = [item["id"] for item in ballot["items"]]
    receipts = []
    for i in range(5):
        response = s.vote(i, bid, {ids[0]: "yes", ids[1]: "yes" if i < 4 else "no"})
        assert response.status_code == 201, response.get_json()
        receipts.append(response.get_json()["receipt"])
    assert_refused(s.tally(bid), 409, "results_not_available")
    s.act(bid, "close")
    sheet = s.tally(bid).get_json()
    assert sheet["cast"] == 5 and sheet["issued"] == 5 and sheet["total"] == 6
    outcomes = {item["id"]: item["outcome"] for item in sheet["items"]}
    assert outcomes == {ids[0]: "selected", ids[1]: "selected", ids[2]: "failed"}
    s.act(bid, "publish")
    listed = api.get(f"/api/v1/ballots/{bid}/receipts", s.token(0)).get_json()["receipts"]
    assert sorted(receipts) == listed
