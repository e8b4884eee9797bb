"""Ballot lifecycle: creation checks, guarded transitions, freezing at open, later rounds."""
import json

import pytest
from sqlalchemy import func, select

from tests.factories import assert_refused
from tests.ballots.sitting import Sitting
from voting.ballots.models import Ballot, BallotVoter, NamedVote
from voting.extensions import db
from voting.integrity.models import AuditEntry


@pytest.fixture
def sitting(api, staff):
    s = Sitting(api, staff, size=6)
    s.check_in(range(5))
    return s


def vote_all(s, bid, ids, plan):
    """plan: list (one per deputy index) of {item index: choice}."""
    for index, marks in enumerate(plan):
        response = s.vote(index, bid, {ids[i]: choice for i, choice in marks.items()})
        assert response.status_code == 201, response.get_json()


def test_create_ballot_fills_the_rule_defaults(sitting):
    ballot = sitting.ballot(items=3, seats=2)
    assert ballot["state"] == "draft" and ballot["round"] == 1 and ballot["parent_id"] is None
    assert [item["title"] for item in ballot["items"]] == ["项目1", "项目2", "项目3"]
    assert ballot["rule"] == {"threshold": {"fraction": "1/2", "inclusive": False, "base": "all"}}
    assert "全体代表过半数" in ballot["rule_text"]
    assert ballot["progress"] == {"issued": 0, "cast": 0, "voted": 0}


def test_create_appraisal_with_default_options(sitting):
    ballot = sitting.ballot(kind="appraisal", items=2)
    assert ballot["options"] == ["satisfied", "basically_satisfied", "unsatisfied"]
    assert ballot["rule"]["mode"] == "rate"


@pytest.mark.parametrize("payload", [
    {"kind": "vote", "title": "x", "items": [{"title": "a"}]},
    {"kind": "selection", "title": "x", "items": [{"title": "a"}]},  # no seats
    {"kind": "selection", "title": "x", "seats": 3, "items": [{"title": "a"}, {"title": "b"}]},
    {"kind": "selection", "title": "x", "seats": True, "items": [{"title": "a"}]},
    {"kind": "motion", "title": "x", "seats": 1, "items": [{"title": "a"}]},
    {"kind": "motion", "title": "", "items": [{"title": "a"}]},
    {"kind": "motion", "title": "x", "items": []},
    {"kind": "motion", "title": "x", "items": [{"description": "no title"}]},
    {"kind": "motion", "title": "x", "items": "a"},
    {"kind": "motion", "title": "x", "items": [{"title": "a"}], "secret": "yes"},
    {"kind": "motion", "title": "x", "items": [{"title": "a"}], "rule": {"threshold": {"fraction": 0.5}}},
    {"kind": "motion", "title": "x", "items": [{"title": "a"}], "rule": {"typo": 1}},
    {"kind": "motion", "title": "x", "items": [{"title": "a"}], "options": ["a", "b"]},
    {"kind": "appraisal", "title": "x", "items": [{"title": "a"}], "options": ["only"]},
    {"kind": "appraisal", "title": "x", "items": [{"title": "a"}], "options": ["满意", "不满意"]},
    {"kind": "appraisal", "title": "x", "items": [{"title": "a"}], "options": ["a", "a"]},
    {"kind": "appraisal", "title": "x", "items": [{"title": "a"}],
     "rule": {"mode": "weighted", "weights": {"excellent": 100}}},
])
def test_bad_ballot_is_400_and_nothing_stored(sitting, api, payload):
    response = api.post(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat, json=payload)
    assert response.status_code == 400, response.get_json()
    assert response.get_json()["error"]["message"]
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


@pytest.mark.parametrize("role", ["teller", "leader"])
def test_only_secretariat_runs_ballots(sitting, api, staff, role):
    ballot = sitting.ballot()
    token = api.token(staff[role].username)
    assert api.post(f"/api/v1/meetings/{sitting.mid}/ballots", token,
                    json={"kind": "motion", "title": "x", "items": [{"title": "a"}]}).status_code == 403
    for action in ("open", "close", "publish", "runoff", "reappraisal"):
        assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/{action}", token), 403, "forbidden")
    assert_refused(api.post(f"/api/v1/ballots/{ballot['id']}/open", sitting.token(0)), 403, "forbidden")


def test_guarded_transitions(sitting, api):
    bid = sitting.ballot()["id"]

    def refused(action):
        response = api.post(f"/api/v1/ballots/{bid}/{action}", sitting.secretariat)
        assert response.status_code == 409, (action, response.get_json())
        assert response.get_json()["error"]["code"] == "invalid_transition"

    refused("close")
    refused("publish")
    sitting.act(bid, "open")
    refused("open")
    refused("publish")
    sitting.act(bid, "close")
    refused("open")
    refused("close")
    sitting.act(bid, "publish")
    for action in ("open", "close", "publish"):
        refused(action)
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.subject == f"ballot:{bid}")).all()
    assert actions == ["ballot_created", "ballot_opened", "ballot_closed", "ballot_published"]


def test_open_freezes_total_issued_and_the_issued_set(sitting, api):
    bid = sitting.ballot()["id"]
    opened = sitting.act(bid, "open")
    assert (opened["total"], opened["issued"], opened["progress"]["issued"]) == (6, 5, 5)
    voters = db.session.scalar(select(func.count()).select_from(BallotVoter).where(BallotVoter.ballot_id == int(bid)))
    assert voters == 5
    # a deputy arriving after open does not change this ballot and may not vote on it
    sitting.check_in([5])
    assert api.get(f"/api/v1/ballots/{bid}", sitting.secretariat).get_json()["issued"] == 5
    ids = [item["id"] for item in opened["items"]]
    late = sitting.vote(5, bid, {ids[0]: "yes"})
    assert late.status_code == 403 and late.get_json()["error"]["code"] == "not_eligible"
    assert [b["id"] for b in api.get(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.token(5))
            .get_json()["ballots"]] == []


def test_deputy_lists_what_it_may_vote_on(sitting, api):
    draft = sitting.ballot()
    live = sitting.ballot()
    sitting.act(live["id"], "open")
    listed = api.get(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.token(0)).get_json()["ballots"]
    assert [b["id"] for b in listed] == [live["id"]]
    assert listed[0]["voted"] is False and listed[0]["eligible"] is True
    assert_refused(api.get(f"/api/v1/ballots/{draft['id']}", sitting.token(0)), 404, "not_found")
    staff_list = api.get(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat).get_json()["ballots"]
    assert [b["id"] for b in staff_list] == [draft["id"], live["id"]]


def test_tally_hidden_until_close_and_from_deputies_until_publish(sitting, api, staff):
    """In a meeting that shows results only after publish (tests/sheets/test_verification.py
    has both policies)."""
    from voting.extensions import db
    from voting.meetings.models import Meeting

    db.session.get(Meeting, int(sitting.mid)).results_shown = "publish"
    db.session.commit()
    ballot = sitting.ballot()
    bid = ballot["id"]
    for token in (sitting.secretariat, api.token(staff["teller"].username)):
        response = api.get(f"/api/v1/ballots/{bid}/tally", token)
        assert response.status_code == 409 and response.get_json()["error"]["code"] == "results_not_available"
    sitting.act(bid, "open")
    assert_refused(sitting.tally(bid), 409, "results_not_available")
    assert_refused(api.get(f"/api/v1/ballots/{bid}/receipts", sitting.secretariat), 409, "results_not_available")
    sitting.act(bid, "close")
    for role in ("teller", "leader", "secretariat", "admin"):
        assert api.get(f"/api/v1/ballots/{bid}/tally", api.token(staff[role].username)).status_code == 200
    assert_refused(api.get(f"/api/v1/ballots/{bid}/tally", sitting.token(0)), 403, "forbidden")
    assert_refused(api.get(f"/api/v1/ballots/{bid}/receipts", sitting.token(0)), 409, "results_not_available")
    sitting.act(bid, "publish")
    assert api.get(f"/api/v1/ballots/{bid}/tally", sitting.token(0)).status_code == 200
    assert api.get(f"/api/v1/ballots/{bid}/receipts", api.token(staff["station"].username)).status_code == 200


def test_sheet_shape_and_signature(sitting, api):
    from voting.integrity.keys import verify_sheet

    ballot = sitting.ballot(items=3, seats=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    sitting.act(bid, "open")
    vote_all(sitting, bid, ids, [{0: "yes", 1: "no"}, {0: "yes", 2: "yes"}, {0: "yes", 1: "yes"},
                                 {0: "yes", 1: "yes"}])
    sitting.act(bid, "close")
    sheet = sitting.tally(bid).get_json()
    assert set(sheet) >= {"ballot", "total", "issued", "cast", "not_voted", "valid", "invalid", "items", "runoff",
                          "seats_unfilled", "rule", "rule_text", "signature", "channels", "trackers", "closed_at"}
    assert (sheet["total"], sheet["issued"], sheet["cast"], sheet["not_voted"], sheet["valid"], sheet["invalid"]) \
        == (6, 5, 4, 1, 4, 0)
    assert sheet["channels"] == {"tablet": 4, "paper": 0} and sheet["trackers"] == 4
    first = sheet["items"][0]
    assert first["id"] == ids[0] and first["counts"] == {"yes": 4, "no": 0, "abstain": 0}
    assert first["outcome"] == "selected" and first["rate"] == "2/3" and first["rank"] == 1
    assert sheet["items"][1]["counts"] == {"yes": 2, "no": 1, "abstain": 1}
    assert sheet["items"][1]["outcome"] == "failed" and sheet["items"][1]["rate"] == "1/3"
    assert sheet["items"][2]["counts"] == {"yes": 1, "no": 0, "abstain": 3}
    assert sheet["runoff"] is None and sheet["seats_unfilled"] == 1
    assert sheet["signature"]["alg"] == "Ed25519" and verify_sheet(sheet)
    changed = json.loads(json.dumps(sheet))
    changed["items"][0]["counts"]["yes"] = 5
    assert not verify_sheet(changed)


def test_runoff_refused_when_the_result_is_decided(sitting, api):
    ballot = sitting.ballot(items=3, seats=1)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    sitting.act(bid, "open")
    vote_all(sitting, bid, ids, [{0: "yes"}, {0: "yes"}, {0: "yes"}, {0: "yes", 1: "no"}, {}])
    sitting.act(bid, "close")
    sheet = sitting.tally(bid).get_json()
    assert sheet["runoff"] is None and sheet["seats_unfilled"] == 0
    refused = api.post(f"/api/v1/ballots/{bid}/runoff", sitting.secretariat)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_transition"


def test_runoff_for_unfilled_seats(sitting, api):
    ballot = sitting.ballot(items=3, seats=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    sitting.act(bid, "open")
    # item 0 passes with 4 of 6; items 1 and 2 get 2 yes each and fail: one seat stays open
    vote_all(sitting, bid, ids, [{0: "yes", 1: "yes"}, {0: "yes", 2: "yes"}, {0: "yes", 1: "yes"},
                                 {0: "yes", 2: "yes"}])
    sitting.act(bid, "close")
    sheet = sitting.tally(bid).get_json()
    assert sheet["seats_unfilled"] == 1 and sheet["runoff"] is None
    assert [item["outcome"] for item in sheet["items"]] == ["selected", "failed", "failed"]
    runoff = api.post(f"/api/v1/ballots/{bid}/runoff", sitting.secretariat)
    assert runoff.status_code == 201
    child = runoff.get_json()
    assert child["round"] == 2 and child["parent_id"] == bid and child["state"] == "draft"
    assert child["seats"] == 1 and [i["source_item_id"] for i in child["items"]] == ids[1:]
    assert [i["title"] for i in child["items"]] == ["项目2", "项目3"]
    assert_refused(api.post(f"/api/v1/ballots/{bid}/runoff", sitting.secretariat), 409, "invalid_transition")


def test_runoff_among_tied_items_for_open_seats(api, staff):
    s = Sitting(api, staff, size=8)
    s.check_in(range(8))
    tie = s.ballot(items=3, seats=2)
    tid, tids = tie["id"], [item["id"] for item in tie["items"]]
    s.act(tid, "open")
    # item 0: 8 yes; items 1 and 2: 4 yes each... needs > 4 of 8 to pass, so give them 5
    plan = [{0: "yes", 1: "yes"}, {0: "yes", 1: "yes"}, {0: "yes", 1: "yes"}, {0: "yes", 2: "yes"},
            {0: "yes", 2: "yes"}, {0: "yes", 2: "yes"}, {1: "yes", 2: "yes"}, {1: "yes", 2: "yes"}]
    vote_all(s, tid, tids, plan)
    s.act(tid, "close")
    sheet = s.tally(tid).get_json()
    assert [item["counts"]["yes"] for item in sheet["items"]] == [6, 5, 5]
    assert [item["outcome"] for item in sheet["items"]] == ["selected", "tie", "tie"]
    assert sheet["runoff"] == {"items": sorted(tids[1:]), "seats": 1}
    s.act(tid, "publish")
    child = api.post(f"/api/v1/ballots/{tid}/runoff", s.secretariat).get_json()
    assert child["round"] == 2 and child["seats"] == 1 and child["title"].endswith("（第2轮）")
    assert [i["source_item_id"] for i in child["items"]] == tids[1:]
    actions = db.session.scalars(select(AuditEntry.action).where(AuditEntry.action == "runoff_created")).all()
    assert actions == ["runoff_created"]


def test_reappraisal_of_failing_items(api, staff):
    s = Sitting(api, staff, size=5)
    s.check_in(range(5))
    ballot = s.ballot(kind="appraisal", items=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    # item 0: 4 of 5 satisfied or basically satisfied (exactly 80%: passes); item 1: 3 of 5 (fails)
    plan = [{0: "satisfied", 1: "satisfied"}, {0: "basically_satisfied", 1: "satisfied"},
            {0: "satisfied", 1: "basically_satisfied"}, {0: "satisfied", 1: "unsatisfied"},
            {0: "unsatisfied", 1: "unsatisfied"}]
    vote_all(s, bid, ids, plan)
    refused = api.post(f"/api/v1/ballots/{bid}/reappraisal", s.secretariat)
    assert refused.status_code == 409  # still open
    s.act(bid, "close")
    sheet = s.tally(bid).get_json()
    assert [item["outcome"] for item in sheet["items"]] == ["satisfactory", "rereport_required"]
    assert [item["rate"] for item in sheet["items"]] == ["4/5", "3/5"]
    child = api.post(f"/api/v1/ballots/{bid}/reappraisal", s.secretariat)
    assert child.status_code == 201
    data = child.get_json()
    assert data["kind"] == "appraisal" and data["round"] == 2 and data["parent_id"] == bid
    assert [item["source_item_id"] for item in data["items"]] == [ids[1]]
    assert data["options"] == ballot["options"] and data["rule"] == sheet["rule"]


def test_reappraisal_refused_when_nothing_failed_or_wrong_kind(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(kind="appraisal", items=1)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    vote_all(s, bid, ids, [{0: "satisfied"}] * 3)
    s.act(bid, "close")
    assert_refused(api.post(f"/api/v1/ballots/{bid}/reappraisal", s.secretariat), 409, "invalid_transition")
    assert_refused(api.post(f"/api/v1/ballots/{bid}/runoff", s.secretariat), 409, "invalid_transition")
    motion = s.ballot(kind="motion", items=1)
    assert_refused(api.post(f"/api/v1/ballots/{motion['id']}/reappraisal", s.secretariat), 409, "invalid_transition")


def test_named_ballot_records_deputies_secret_one_never(sitting):
    secret = sitting.ballot(kind="motion", items=1)
    named = sitting.ballot(kind="motion", items=1, secret=False)
    for ballot in (secret, named):
        sitting.act(ballot["id"], "open")
        assert sitting.vote(0, ballot["id"], {ballot["items"][0]["id"]: "yes"}).status_code == 201
    rows = db.session.scalars(select(NamedVote)).all()
    assert [(row.ballot_id, row.deputy_id) for row in rows] == [(int(named["id"]), int(sitting.deputies[0]["id"]))]
    assert json.loads(rows[0].choices) == {named["items"][0]["id"]: "yes"}


def test_motion_and_weighted_appraisal_sheets(api, staff):
    s = Sitting(api, staff, size=4)
    s.check_in(range(4))
    motion = s.ballot(kind="motion", items=2, rule={"threshold": {"fraction": "2/3", "inclusive": True}})
    mid, mids = motion["id"], [item["id"] for item in motion["items"]]
    s.act(mid, "open")
    vote_all(s, mid, mids, [{0: "yes", 1: "yes"}, {0: "yes", 1: "yes"}, {0: "yes"}, {1: "no"}])
    s.act(mid, "close")
    assert [i["outcome"] for i in s.tally(mid).get_json()["items"]] == ["passed", "failed"]
    officials = s.ballot(kind="appraisal", items=2, options=["satisfied", "basically_satisfied", "unsatisfied",
                                                             "unknown"], rule={"mode": "weighted"})
    oid, oids = officials["id"], [item["id"] for item in officials["items"]]
    s.act(oid, "open")
    vote_all(s, oid, oids, [{0: "satisfied", 1: "unknown"}, {0: "satisfied", 1: "basically_satisfied"},
                            {0: "basically_satisfied", 1: "unsatisfied"}, {0: "unknown", 1: "satisfied"}])
    s.act(oid, "close")
    items = s.tally(oid).get_json()["items"]
    assert items[0]["score"] == "275/3" and items[0]["grade"] == "优秀" and items[0]["rank"] == 1
    assert items[1]["score"] == "175/3" and items[1]["grade"] == "不称职"
    assert items[1]["outcome"] == "rereport_required"
