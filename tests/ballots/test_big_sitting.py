"""A 200-deputy sitting through the API alone: import, 150 check in, a 12-candidate /
10-seat selection ballot, 150 deputies voting concurrently, close, an independently
computed result, publish, and every deputy finding its receipt."""
import uuid

import pytest

from tests.ballots.sitting import post_vote, run_threads

SEATED, PRESENT, SEATS = 200, 150, 10
# Yes votes per candidate. Passing needs more than half of all 200 deputies (> 100).
YES = [149, 147, 145, 140, 135, 130, 125, 120, 115, 110, 101, 60]
THREADS = 10


def planned_ballots() -> list[dict]:
    """Deputy index → {candidate index: choice}. Yes marks are dealt round-robin so no
    deputy marks more than SEATS yes; the other candidates get no / abstain / nothing."""
    plans = [dict() for _ in range(PRESENT)]
    cursor = 0
    for item, yes in enumerate(YES):
        for step in range(yes):
            plans[(cursor + step) % PRESENT][item] = "yes"
        cursor = (cursor + yes) % PRESENT
    for deputy, plan in enumerate(plans):
        assert sum(1 for choice in plan.values() if choice == "yes") <= SEATS
        for item in range(len(YES)):
            if item not in plan:
                kind = (deputy + item) % 3
                if kind == 0:
                    plan[item] = "no"
                elif kind == 1:
                    plan[item] = "abstain"
                # kind 2: left unmarked, which counts as abstain
    return plans


def expected_result(plans):
    """The outcome computed here, without voting.rules: counts, pass, rank, seats."""
    counts = [{"yes": 0, "no": 0, "abstain": 0} for _ in YES]
    for plan in plans:
        for item in range(len(YES)):
            counts[item][plan.get(item, "abstain")] += 1
    passing = [i for i in range(len(YES)) if counts[i]["yes"] * 2 > SEATED]
    ranked = sorted(passing, key=lambda i: -counts[i]["yes"])
    outcome = {i: "failed" for i in range(len(YES))}
    for place, item in enumerate(ranked):
        outcome[item] = "selected" if place < SEATS else "not_selected"
    return counts, outcome


@pytest.mark.slow
def test_two_hundred_deputy_sitting(app, api, staff):
    secretariat = api.token(staff["secretariat"].username)
    meeting = api.post("/api/v1/meetings", secretariat, json={"name": "二百人代表大会"}).get_json()
    mid = meeting["id"]
    roster = [{"name": f"代表{i:03d}", "delegation": f"第{i % 10 + 1}代表团", "number": f"{i:03d}"}
              for i in range(SEATED)]
    imported = api.post(f"/api/v1/meetings/{mid}/deputies", secretariat, json={"deputies": roster})
    assert imported.status_code == 201 and imported.get_json()["created"] == SEATED
    deputies = imported.get_json()["deputies"]

    tokens = [api.card_token(deputy["card"]) for deputy in deputies[:PRESENT]]
    for token in tokens:
        assert api.post(f"/api/v1/meetings/{mid}/checkin", token).status_code == 200
    attendance = api.get(f"/api/v1/meetings/{mid}/attendance", secretariat).get_json()
    assert attendance == {"total": SEATED, "present": PRESENT, "quorum_met": True, "required": 134}

    created = api.post(f"/api/v1/meetings/{mid}/ballots", secretariat, json={
        "kind": "selection", "title": "2027年民生实事项目票决", "seats": SEATS, "secret": True,
        "items": [{"title": f"候选项目{i + 1}", "description": "说明"} for i in range(len(YES))]})
    assert created.status_code == 201
    bid = created.get_json()["id"]
    item_ids = [item["id"] for item in created.get_json()["items"]]
    opened = api.post(f"/api/v1/ballots/{bid}/open", secretariat).get_json()
    assert (opened["state"], opened["total"], opened["issued"]) == ("open", SEATED, PRESENT)

    plans = planned_ballots()
    per_thread = PRESENT // THREADS

    def voter(first):
        def work(client):
            receipts = {}
            for index in range(first, first + per_thread):
                choices = {item_ids[item]: choice for item, choice in plans[index].items()}
                status, body = post_vote(client, tokens[index], bid, choices, uuid.uuid4().hex)
                assert status == 201, body
                receipts[index] = body["receipt"]
            return receipts
        return work

    results = run_threads(app, [voter(first) for first in range(0, PRESENT, per_thread)])
    receipts = {index: receipt for batch in results for index, receipt in batch.items()}
    assert len(receipts) == PRESENT and len(set(receipts.values())) == PRESENT

    progress = api.get(f"/api/v1/ballots/{bid}", secretariat).get_json()["progress"]
    assert progress["issued"] == PRESENT and progress["cast"] == PRESENT
    assert api.post(f"/api/v1/ballots/{bid}/close", secretariat).status_code == 200

    sheet = api.get(f"/api/v1/ballots/{bid}/tally", api.token(staff["teller"].username)).get_json()
    counts, outcome = expected_result(plans)
    assert (sheet["total"], sheet["issued"], sheet["cast"], sheet["not_voted"], sheet["valid"], sheet["invalid"]) \
        == (SEATED, PRESENT, PRESENT, 0, PRESENT, 0)
    assert [item["id"] for item in sheet["items"]] == item_ids
    assert [item["counts"] for item in sheet["items"]] == counts
    assert [item["counts"]["yes"] for item in sheet["items"]] == YES
    assert [item["outcome"] for item in sheet["items"]] == [outcome[i] for i in range(len(YES))]
    assert sum(1 for item in sheet["items"] if item["outcome"] == "selected") == SEATS
    assert sheet["runoff"] is None and sheet["seats_unfilled"] == 0

    assert api.post(f"/api/v1/ballots/{bid}/publish", secretariat).status_code == 200
    for index in range(PRESENT):
        listed = api.get(f"/api/v1/ballots/{bid}/receipts", tokens[index]).get_json()["receipts"]
        assert receipts[index] in listed
    assert listed == sorted(receipts.values())
    assert api.get(f"/api/v1/ballots/{bid}/tally", tokens[0]).get_json() == sheet
