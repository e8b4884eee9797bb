"""Group commit (voting.ballots.groupcommit): the casts that arrive while another is
being written are written with it, in one transaction; every case that is not the
plain one is stored alone and answered exactly as before."""
import os
import threading
import uuid

import pytest
from sqlalchemy import func, select

from tests.ballots.sitting import Sitting, post_vote, release_database, run_threads
from voting.admission import step_aside
from voting.ballots import groupcommit
from voting.ballots.groupcommit import ALONE, CLOSED, STORED, GroupCommit, PendingCast
from voting.ballots.models import CastBallot, IdempotencyRecord, Participation
from voting.database import write_intent
from voting.extensions import db


def pending(ballot_id=1, deputy_id=1, tracker=None) -> PendingCast:
    return PendingCast(ballot_id=ballot_id, deputy_id=deputy_id, key_hash=uuid.uuid4().hex * 2,
                       tracker=tracker or uuid.uuid4().hex[:19], sealed=b"sealed", origin=None, named=None,
                       sealed_receipt=b"receipt", check=None)


class Held:
    """begin() held until released, and a count of the casts queued behind it."""

    def __init__(self, expected_waiting: int):
        self.release = threading.Event()
        self.all_waiting = threading.Event()
        self.expected = expected_waiting
        self.waiting = 0
        self.batches: list[list] = []
        self._lock = threading.Lock()

    def begin(self):
        assert self.release.wait(60)

    def before_waiting(self):
        with self._lock:
            self.waiting += 1
            if self.waiting == self.expected:
                self.all_waiting.set()

    def write(self, batch):
        self.batches.append(list(batch))
        for cast in batch:
            cast.outcome = STORED


def submit_in_threads(commit: GroupCommit, casts: list) -> tuple[list, list]:
    results, errors = [None] * len(casts), []

    def run(index):
        try:
            results[index] = commit.submit(casts[index])
        except BaseException as error:  # noqa: BLE001  (reported to the test)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(casts))]
    for thread in threads:
        thread.start()
    return threads, (results, errors)


def held_then_released(held: Held, commit: GroupCommit, casts: list) -> tuple[list, list]:
    """Submit `casts` at once; release the leader once the others all wait behind it."""
    threads, (results, errors) = submit_in_threads(commit, casts)
    assert held.all_waiting.wait(60)
    held.release.set()
    for thread in threads:
        thread.join(60)
    return results, errors


def test_casts_queued_while_the_lock_is_awaited_are_written_in_one_batch():
    held = Held(expected_waiting=4)
    commit = GroupCommit(held.begin, held.write, before_waiting=held.before_waiting)
    casts = [pending(deputy_id=i) for i in range(5)]
    results, errors = held_then_released(held, commit, casts)  # one leads (held in begin), four wait behind it
    assert not errors
    assert [len(batch) for batch in held.batches] == [5]
    assert {id(cast) for cast in held.batches[0]} == {id(cast) for cast in casts}
    assert all(result.outcome == STORED and result.error is None for result in results)


def test_the_limit_hands_the_rest_to_the_next_leader():
    held = Held(expected_waiting=4)
    commit = GroupCommit(held.begin, held.write, limit=2, before_waiting=held.before_waiting)
    casts = [pending(deputy_id=i) for i in range(5)]
    results, errors = held_then_released(held, commit, casts)
    assert not errors
    assert [len(batch) for batch in held.batches] == [2, 2, 1]
    assert sorted(id(cast) for batch in held.batches for cast in batch) == sorted(id(cast) for cast in casts)
    assert all(result.outcome == STORED for result in results)


def test_a_failed_batch_fails_every_cast_in_it_and_the_next_cast_is_written():
    held = Held(expected_waiting=2)
    failures = iter([OSError("disk full")])

    def write(batch):
        failure = next(failures, None)
        if failure is not None:
            raise failure
        held.write(batch)

    commit = GroupCommit(held.begin, write, before_waiting=held.before_waiting)
    casts = [pending(deputy_id=i) for i in range(3)]
    results, errors = held_then_released(held, commit, casts)
    # The leader's request fails with the error; the two behind it get it as their answer.
    assert len(errors) == 1 and isinstance(errors[0], OSError)
    answered = [result for result in results if result is not None]
    assert len(answered) == 2 and all(isinstance(result.error, OSError) for result in answered)
    assert all(result.outcome is None for result in answered)
    later = commit.submit(pending(deputy_id=9))  # nothing is left writing: this one leads and is written
    assert later.outcome == STORED and held.batches == [[later]]


def test_a_leader_that_cannot_begin_hands_the_queue_on():
    release, all_waiting = threading.Event(), threading.Event()
    began, batches = [], []

    def begin():
        began.append(threading.current_thread())
        if len(began) == 1:
            assert release.wait(60)
            raise OSError("database is locked")

    def write(batch):
        batches.append(list(batch))
        for cast in batch:
            cast.outcome = STORED

    commit = GroupCommit(begin, write, before_waiting=lambda: all_waiting.set())
    first = pending(deputy_id=1)
    threads, (results, errors) = submit_in_threads(commit, [first])
    second = pending(deputy_id=2)
    other, (other_results, other_errors) = submit_in_threads(commit, [second])
    assert all_waiting.wait(60)
    release.set()
    for thread in threads + other:
        thread.join(60)
    assert len(errors) == 1 and isinstance(errors[0], OSError)
    assert not other_errors and other_results[0].outcome == STORED
    assert batches == [[second]]


# --- the batch written to the database ------------------------------------------------

def open_ballot(api, staff, size):
    s = Sitting(api, staff, size=size)
    s.check_in(range(size))
    ballot = s.ballot(items=3, seats=2)
    s.act(ballot["id"], "open")
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    return s


def write(batch):
    release_database()
    token = write_intent.set(True)
    try:
        groupcommit.begin_batch()
        groupcommit.write_batch(batch)
    finally:
        write_intent.reset(token)


def test_a_batch_writes_the_plain_casts_and_leaves_every_other_to_be_stored_alone(app, api, staff):
    s = open_ballot(api, staff, size=6)
    closed = s.ballot(items=2, seats=1)  # never opened
    bid, deputies = int(s.bid), [int(deputy["id"]) for deputy in s.deputies]
    assert s.vote(5, s.bid, {s.ids[0]: "yes"}).status_code == 201
    plain = [pending(bid, deputies[0]), pending(bid, deputies[1])]
    twice = [pending(bid, deputies[2]), pending(bid, deputies[2])]
    copied = [pending(bid, deputies[3], tracker="AAAA-BBBB-CCCC-DDDD"),
              pending(bid, deputies[4], tracker="AAAA-BBBB-CCCC-DDDD")]
    voted_before = pending(bid, deputies[5])
    not_open = pending(int(closed["id"]), deputies[0])
    write(plain + twice + copied + [voted_before, not_open])
    assert [cast.outcome for cast in plain] == [STORED, STORED]
    assert [cast.outcome for cast in twice] == [STORED, ALONE]
    assert [cast.outcome for cast in copied] == [STORED, ALONE]
    assert voted_before.outcome == ALONE and not_open.outcome == CLOSED
    release_database()
    stored = set(db.session.scalars(select(Participation.deputy_id).where(Participation.ballot_id == bid)))
    assert stored == set(deputies) - {deputies[4]}  # deputy 4's copied cast was left to be stored alone
    written = plain + twice[:1] + copied[:1]
    trackers = set(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == bid)))
    assert {cast.tracker for cast in written} <= trackers and len(trackers) == len(written) + 1  # + deputy 5's
    keys = set(db.session.scalars(select(IdempotencyRecord.key_hash)))
    assert {cast.key_hash for cast in written} <= keys
    assert not keys & {twice[1].key_hash, copied[1].key_hash, voted_before.key_hash, not_open.key_hash}


class HeldLeader(Held):
    """The app's group commit, its leader held before the lock until `waiting` casts
    queued behind it (so that they are one batch), each of them stepping aside as in
    the app; the batches are written to the database."""

    def __init__(self, app, waiting: int):
        super().__init__(waiting)
        self.release = self.all_waiting
        app.extensions["group_commit"] = (os.getpid(), GroupCommit(self.begin, self.write,
                                                                   before_waiting=self.before_waiting))

    def begin(self):
        super().begin()
        groupcommit.begin_batch()

    def before_waiting(self):
        step_aside()
        super().before_waiting()

    def write(self, batch):
        self.batches.append(list(batch))
        groupcommit.write_batch(batch)


def test_casts_sent_together_are_one_batch_and_each_is_answered_as_if_alone(app, api, staff):
    s = open_ballot(api, staff, size=6)
    tokens = [s.token(i) for i in range(6)]
    held = HeldLeader(app, waiting=6)  # seven reach the batch: the eighth is refused by the rules first
    votes = [(tokens[i], {s.ids[0]: "yes", s.ids[1]: "no"}, f"key-{i}") for i in range(5)]
    votes += [(tokens[0], {s.ids[0]: "no"}, "key-0-again"),  # a second vote of deputy 0
              (tokens[1], {s.ids[0]: "yes", s.ids[1]: "no"}, "key-1"),  # a retry of deputy 1's vote
              (tokens[5], {s.ids[0]: "yes", s.ids[1]: "yes", s.ids[2]: "yes"}, "key-5")]  # three yes, two seats
    results = run_threads(app, [lambda client, v=v: post_vote(client, v[0], s.bid, v[1], v[2]) for v in votes])
    assert [len(batch) for batch in held.batches] == [7]
    statuses = [status for status, _ in results]
    assert statuses[2:5] == [201] * 3
    # Deputy 0's two votes: whichever the batch met first is stored, the other refused.
    assert sorted((statuses[0], statuses[5])) == [201, 409]
    assert [body["error"]["code"] for status, body in (results[0], results[5]) if status == 409] == ["already_voted"]
    # Deputy 1's vote and its retry: stored once, both answered with its receipt.
    assert sorted((statuses[1], statuses[6])) == [200, 201] and results[1][1]["receipt"] == results[6][1]["receipt"]
    assert statuses[7] == 422 and results[7][1]["error"]["code"] == "too_many_yes"
    release_database()
    assert db.session.scalar(select(func.count()).select_from(Participation)
                             .where(Participation.ballot_id == int(s.bid))) == 5


@pytest.mark.parametrize("size", [40])
def test_a_hall_at_once_is_stored_exactly(app, api, staff, size):
    s = open_ballot(api, staff, size=size)
    tokens = [s.token(i) for i in range(size)]
    results = run_threads(app, [lambda client, i=i: post_vote(client, tokens[i], s.bid, {s.ids[i % 3]: "yes"},
                                                              f"k{i}") for i in range(size)])
    assert [status for status, _ in results] == [201] * size
    assert len({body["receipt"] for _, body in results}) == size
    release_database()
    assert db.session.scalar(select(func.count()).select_from(CastBallot)
                             .where(CastBallot.ballot_id == int(s.bid))) == size
    s.act(s.bid, "close")
    counts = {item["id"]: item["counts"]["yes"] for item in s.tally(s.bid).get_json()["items"]}
    assert counts == {s.ids[k]: sum(1 for i in range(size) if i % 3 == k) for k in range(3)}
