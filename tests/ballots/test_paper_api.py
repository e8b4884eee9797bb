"""Paper ballots through the API: issue, enter one at a time, no double vote across the
two channels, invalid paper ballots, cast ≤ issued, audit without choices."""
import json

import pytest
from sqlalchemy import func, select

from tests.factories import assert_refused, gen_body, gen_user
from tests.ballots.sitting import post_vote, release_database, run_threads
from tests.sheets.mixed import MixedSitting, closed_selection
from voting.ballots.models import CastBallot, Participation
from voting.extensions import db
from voting.integrity.models import AuditEntry


@pytest.fixture
def live(api, staff):
    """6 deputies, 5 present; 3 candidates for 2 seats; open."""
    s = MixedSitting(api, staff, size=6)
    s.check_in(range(5))
    ballot = s.ballot(items=3, seats=2)
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(s.bid, "open")
    return s


def stored() -> tuple[int, int, int]:
    """(participations, cast ballots, audit entries): a refusal changes none of them."""
    return tuple(db.session.scalar(select(func.count()).select_from(model))
                 for model in (Participation, CastBallot, AuditEntry))


def error_code(response) -> str:
    return response.get_json()["error"]["code"]


def test_paper_after_tablet_is_refused(live):
    assert live.vote(0, live.bid, {live.ids[0]: "yes"}).status_code == 201
    before = stored()
    refused = live.api.post(f"/api/v1/ballots/{live.bid}/paper/issue", live.teller,
                            json={"deputy_id": live.deputies[0]["id"]})
    assert refused.status_code == 409 and error_code(refused) == "already_voted"
    assert stored() == before


def test_tablet_after_paper_is_refused(live):
    issued = live.issue(live.bid, 1)
    assert issued["deputy_id"] == live.deputies[1]["id"] and issued["channel"] == "paper"
    assert issued["paper"] == {"issued": 1, "entered": 0, "remaining": 1}
    before = stored()
    refused = live.vote(1, live.bid, {live.ids[0]: "yes"})
    assert refused.status_code == 409 and error_code(refused) == "already_voted"
    assert stored() == before
    again = live.api.post(f"/api/v1/ballots/{live.bid}/paper/issue", live.teller,
                          json={"deputy_id": live.deputies[1]["id"]})
    assert again.status_code == 409 and error_code(again) == "already_voted"


def test_too_many_yes_on_paper_counts_as_invalid(live):
    live.issue(live.bid, 0)
    live.issue(live.bid, 1)
    answer = live.enter(live.bid, {key: "yes" for key in live.ids})
    assert answer["invalid"] is True and answer["paper"]["entered"] == 1
    assert live.enter(live.bid, {live.ids[2]: "yes"})["invalid"] is False
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert (sheet["cast"], sheet["valid"], sheet["invalid"]) == (2, 1, 1)
    assert [item["counts"]["yes"] for item in sheet["items"]] == [0, 0, 1]
    assert sheet["channels"] == {"tablet": 0, "paper": 2}


def test_cast_over_issued_is_refused_and_stores_nothing(live):
    refused = live.api.post(f"/api/v1/ballots/{live.bid}/paper/ballots", live.teller,
                            json={"choices": {live.ids[0]: "yes"}})
    assert refused.status_code == 409 and error_code(refused) == "paper_count_exceeded"
    live.issue(live.bid, 2)
    live.enter(live.bid, {live.ids[0]: "yes"})
    before = stored()
    refused = live.api.post(f"/api/v1/ballots/{live.bid}/paper/ballots", live.teller,
                            json={"choices": {live.ids[1]: "yes"}})
    assert refused.status_code == 409 and error_code(refused) == "paper_count_exceeded"
    assert "发出 1 张" in refused.get_json()["error"]["message"]
    assert stored() == before
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["cast"] == 1 and sheet["cast"] <= sheet["issued"]


def test_two_tellers_racing_for_the_last_paper_ballot(app, api, staff, live):
    live.issue(live.bid, 3)
    second = api.token(gen_user("teller", staff["teller"].body).username)

    def enter(token):
        def run(client):
            response = client.post(f"/api/v1/ballots/{live.bid}/paper/ballots", json={"choices": {}},
                                   headers={"Authorization": f"Bearer {token}"})
            return response.status_code
        return run

    statuses = sorted(run_threads(app, [enter(live.teller), enter(second)]))
    assert statuses == [201, 409]
    release_database()
    assert db.session.scalar(select(func.count()).select_from(CastBallot).where(CastBallot.channel == "paper")) == 1


def test_a_mixed_sitting_tallies_correctly(app, api, staff):
    s, bid, ids = closed_selection(api, staff)
    sheet = s.tally(bid).get_json()
    # tablets: {0,1} {0,2} {0,1:no} {0,1} {0:no,3}; paper: {0,1,2:no} and one invalid (3 yes)
    assert (sheet["total"], sheet["issued"], sheet["cast"], sheet["not_voted"]) == (8, 7, 7, 0)
    assert (sheet["valid"], sheet["invalid"]) == (6, 1)
    assert sheet["channels"] == {"tablet": 5, "paper": 2} and sheet["trackers"] == 7
    assert [item["counts"] for item in sheet["items"]] == [
        {"yes": 5, "no": 1, "abstain": 0}, {"yes": 3, "no": 1, "abstain": 2},
        {"yes": 1, "no": 1, "abstain": 4}, {"yes": 1, "no": 0, "abstain": 5}]
    # 过半数 of all 8 deputies is 5: only the first passes, one seat stays open
    assert [item["outcome"] for item in sheet["items"]] == ["selected", "failed", "failed", "failed"]
    assert sheet["seats_unfilled"] == 1
    result = app.test_cli_runner().invoke(args=["verify", "--ballot", bid])
    assert result.exit_code == 0, result.output
    assert "参与 平板 5 / 纸质 2，选票 平板 5 / 纸质 2" in result.output


def test_entries_are_audited_without_choices(api, staff):
    s, bid, ids = closed_selection(api, staff)
    entries = db.session.scalars(select(AuditEntry).where(AuditEntry.action.like("paper_%"))
                                 .order_by(AuditEntry.id)).all()
    assert [e.action for e in entries] == ["paper_ballot_issued"] * 2 + ["paper_ballot_recorded"] * 2
    for entry in entries:
        details = json.loads(entry.details)
        assert set(details) <= {"ballot"}, details
        for word in ("yes", "no", "abstain", "invalid", *[f'"{key}"' for key in ids]):
            assert word not in entry.details


def test_only_tellers_of_the_ballots_body_issue_and_enter(api, staff, body, live):
    path = f"/api/v1/ballots/{live.bid}/paper"
    for role in ("secretariat", "leader", "admin", "station"):
        token = api.token(staff[role].username)
        assert_refused(api.post(f"{path}/issue", token, json={"deputy_id": live.deputies[0]["id"]}), 403, "forbidden")
        assert_refused(api.post(f"{path}/ballots", token, json={"choices": {}}), 403, "forbidden")
        assert_refused(api.get(path, token), 403, "forbidden")
    assert_refused(api.post(f"{path}/ballots", live.token(0), json={"choices": {}}), 403, "forbidden")
    other = api.token(gen_user("teller", gen_body("白水县人大常委会")).username)
    assert_refused(api.post(f"{path}/issue", other, json={"deputy_id": live.deputies[0]["id"]}), 404, "not_found")
    assert_refused(api.post(f"{path}/issue", json={"deputy_id": live.deputies[0]["id"]}), 401, "unauthorized")
    assert stored()[0] == 0


def test_bad_paper_input_is_refused_and_stores_nothing(api, staff, live):
    live.issue(live.bid, 0)
    before = stored()
    path = f"/api/v1/ballots/{live.bid}/paper"
    cases = [
        ("ballots", {"choices": {"99999": "yes"}}, 422, "unknown_item"),
        ("ballots", {"choices": {live.ids[0]: "maybe"}}, 422, "unknown_choice"),
        ("ballots", {"choices": ["yes"]}, 400, "bad_request"),
        ("ballots", {}, 400, "bad_request"),
        ("issue", {"deputy_id": "abc"}, 400, "bad_request"),
        ("issue", {}, 400, "bad_request"),
        ("issue", {"deputy_id": "99999"}, 404, "not_found"),
        ("issue", {"deputy_id": live.deputies[5]["id"]}, 403, "not_eligible"),
    ]
    for action, body, status, code in cases:
        response = api.post(f"{path}/{action}", live.teller, json=body)
        assert (response.status_code, error_code(response)) == (status, code), (action, body)
        assert stored() == before
    malformed = api.client.post(f"{path}/ballots", data="{not json", content_type="application/json",
                                headers={"Authorization": f"Bearer {live.teller}"})
    assert malformed.status_code == 400 and stored() == before


def test_paper_only_while_the_ballot_is_open(api, staff):
    s = MixedSitting(api, staff, size=3)
    s.check_in(range(3))
    bid = s.ballot(items=2, seats=1)["id"]
    for step in ("draft", "closed"):
        refused = api.post(f"/api/v1/ballots/{bid}/paper/issue", s.teller, json={"deputy_id": s.deputies[0]["id"]})
        assert refused.status_code == 409 and error_code(refused) == "ballot_not_open"
        refused = api.post(f"/api/v1/ballots/{bid}/paper/ballots", s.teller, json={"choices": {}})
        assert refused.status_code == 409 and error_code(refused) == "ballot_not_open"
        if step == "draft":
            s.act(bid, "open")
            s.act(bid, "close")


def test_overview_lists_who_may_still_get_a_paper_ballot(api, live):
    live.issue(live.bid, 0)
    assert live.vote(1, live.bid, {}).status_code == 201
    overview = api.get(f"/api/v1/ballots/{live.bid}/paper", live.teller).get_json()
    assert overview["paper"] == {"issued": 1, "entered": 0, "remaining": 1}
    assert overview["progress"]["issued"] == 5 and overview["progress"]["cast"] == 1
    assert [d["id"] for d in overview["not_voted"]] == [live.deputies[i]["id"] for i in (2, 3, 4)]
    assert [d["id"] for d in overview["paper_holders"]] == [live.deputies[0]["id"]]


def test_appraisal_paper_ballots_use_the_appraisal_options(api, staff):
    s = MixedSitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(kind="appraisal", items=2)
    bid, ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(bid, "open")
    s.issue(bid, 0)
    refused = api.post(f"/api/v1/ballots/{bid}/paper/ballots", s.teller, json={"choices": {ids[0]: "yes"}})
    assert refused.status_code == 422 and error_code(refused) == "unknown_choice"
    assert s.enter(bid, {ids[0]: "satisfied", ids[1]: "unsatisfied"})["invalid"] is False
    assert post_vote(api.client, s.token(1), bid, {ids[0]: "basically_satisfied"}, "k1")[0] == 201
    s.act(bid, "close")
    sheet = s.tally(bid).get_json()
    assert sheet["items"][0]["counts"] == {"satisfied": 1, "basically_satisfied": 1, "unsatisfied": 0, "abstain": 0}
    assert sheet["channels"] == {"tablet": 1, "paper": 1}


def test_paper_responses_match_the_openapi_document(client, api, live):
    from tests.api.test_openapi import conforms

    spec = client.get("/api/v1/openapi.json").get_json()["paths"]

    def check(path, method, response):
        operation = spec[path][method]
        schema = operation["responses"][str(response.status_code)]["content"]["application/json"]["schema"]
        assert conforms(response.get_json(), schema) == [], (path, response.get_json())
        if response.status_code >= 400 and "x-error-codes" in operation:
            assert response.get_json()["error"]["code"] in operation["x-error-codes"][str(response.status_code)]

    base = f"/api/v1/ballots/{live.bid}/paper"
    check("/ballots/{bid}/paper/issue", "post",
          api.post(f"{base}/issue", live.teller, json={"deputy_id": live.deputies[0]["id"]}))
    check("/ballots/{bid}/paper/issue", "post",
          api.post(f"{base}/issue", live.teller, json={"deputy_id": live.deputies[0]["id"]}))
    check("/ballots/{bid}/paper/ballots", "post", api.post(f"{base}/ballots", live.teller, json={"choices": {}}))
    check("/ballots/{bid}/paper/ballots", "post", api.post(f"{base}/ballots", live.teller, json={"choices": {}}))
    live.issue(live.bid, 1)
    totals = {"ballots": 1, "counts": {key: {"yes": 0} for key in live.ids}}
    check("/ballots/{bid}/paper/totals", "post", api.post(f"{base}/totals", live.teller, json=totals))
    check("/ballots/{bid}/paper/totals", "post", api.post(f"{base}/totals", live.teller, json=totals))
    check("/ballots/{bid}/paper", "get", api.get(base, live.teller))
    for extension, mimetype in (("csv", "text/csv"), ("xlsx", "application/vnd.openxmlformats-officedocument"
                                                               ".spreadsheetml.sheet"), ("pdf", "application/pdf")):
        content = spec[f"/ballots/{{bid}}/tally.{extension}"]["get"]["responses"]["200"]["content"]
        assert [key.split(";")[0] for key in content] == [mimetype]
