"""Races: one deputy on two tablets, votes racing a close, a retry racing its original."""
import threading
import uuid

from sqlalchemy import func, select

from tests.ballots.sitting import Sitting, post_vote, release_database, run_threads
from voting.ballots.models import CastBallot, IdempotencyRecord, Participation
from voting.extensions import db


def counts(bid) -> tuple[int, int]:
    release_database()
    participations = db.session.scalar(select(func.count()).select_from(Participation)
                                       .where(Participation.ballot_id == int(bid)))
    casts = db.session.scalar(select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == int(bid)))
    return participations, casts


def open_ballot(api, staff, size, present, **kwargs):
    s = Sitting(api, staff, size=size)
    s.check_in(range(present))
    ballot = s.ballot(**kwargs)
    s.act(ballot["id"], "open")
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    return s


def test_double_submit_from_two_tablets_stores_exactly_one(app, api, staff):
    s = open_ballot(api, staff, size=3, present=3)
    for attempt in range(3):  # a few rounds, each a fresh deputy
        token = s.token(attempt)
        results = run_threads(app, [
            lambda client: post_vote(client, token, s.bid, {s.ids[0]: "yes"}, "tablet-a"),
            lambda client: post_vote(client, token, s.bid, {s.ids[0]: "no"}, "tablet-b"),
        ])
        statuses = sorted(status for status, _ in results)
        assert statuses == [201, 409], results
        refused = [body for status, body in results if status == 409][0]
        assert refused["error"]["code"] == "already_voted"
        assert counts(s.bid) == (attempt + 1, attempt + 1)
    assert db.session.scalar(select(func.count()).select_from(IdempotencyRecord)) == 3


def test_retry_racing_its_original_gets_the_same_receipt(app, api, staff):
    s = open_ballot(api, staff, size=2, present=2)
    token = s.token(0)
    results = run_threads(app, [
        lambda client: post_vote(client, token, s.bid, {s.ids[1]: "yes"}, "same-key"),
        lambda client: post_vote(client, token, s.bid, {s.ids[1]: "yes"}, "same-key"),
    ])
    assert sorted(status for status, _ in results) == [200, 201]
    assert results[0][1]["receipt"] == results[1][1]["receipt"]
    assert counts(s.bid) == (1, 1)


def test_votes_racing_the_close_are_counted_exactly_when_acknowledged(app, api, staff):
    deputies = 40
    s = open_ballot(api, staff, size=deputies, present=deputies, items=3, seats=2)
    tokens = [s.token(i) for i in range(deputies)]
    some_votes_stored = threading.Event()
    voters_per_thread = 8

    def voter(first):
        def work(client):
            answers = []
            for index in range(first, first + voters_per_thread):
                answers.append((index, *post_vote(client, tokens[index], s.bid, {s.ids[0]: "yes"},
                                                  uuid.uuid4().hex)))
                if len(answers) == 2:
                    some_votes_stored.set()
            return answers
        return work

    def closer(client):
        assert some_votes_stored.wait(timeout=60)
        response = client.post(f"/api/v1/ballots/{s.bid}/close",
                               headers={"Authorization": f"Bearer {s.secretariat}"})
        return response.status_code

    workers = [voter(first) for first in range(0, deputies, voters_per_thread)] + [closer]
    results = run_threads(app, workers)
    assert results[-1] == 200
    answers = [answer for batch in results[:-1] for answer in batch]
    accepted = [a for a in answers if a[1] == 201]
    refused = [a for a in answers if a[1] != 201]
    assert all(status == 409 and body["error"]["code"] == "ballot_not_open" for _, status, body in refused)
    assert len(accepted) + len(refused) == deputies and accepted
    sheet = s.tally(s.bid).get_json()
    assert sheet["cast"] == len(accepted) == sheet["items"][0]["counts"]["yes"]
    assert counts(s.bid) == (len(accepted), len(accepted))
    s.act(s.bid, "publish")
    receipts = api.get(f"/api/v1/ballots/{s.bid}/receipts", s.secretariat).get_json()["receipts"]
    assert sorted(body["receipt"] for _, _, body in accepted) == receipts
