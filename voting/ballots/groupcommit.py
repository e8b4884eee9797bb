"""Group commit: the casts that arrive while another is being written are written
together, in one transaction and one commit, by the first of them to arrive.

Why: SQLite has one writer, and with a hall's 650 tablets voting at once each cast's
own write transaction (BEGIN IMMEDIATE, the state check, three inserts, COMMIT and its
fsync) waited on the lock and, inside it, on the worker's GIL before every statement,
shared with a hundred other request threads. Written together, a batch of casts takes
the lock once, so the hall's throughput is no longer one lock round per cast
(BENCHMARKS.md, "Group commit").

Nothing about a cast changes: each request is answered only after the commit that
holds its cast (so an answered vote is on disk, synchronous=FULL), and every case
that is not the plain one (a deputy or a tracker already stored, or twice in one
batch; an integrity error) is not written in the batch but handed back to be stored
alone by `casting._store_cast`, which answers it exactly as before. A batch is
written in a random order, so even the order of rows in one commit says nothing about
who sent which cast.

Per process: the first cast to find no batch being written leads. It takes the write
lock first, then what is queued by then (at most `LIMIT`, itself included), writes it,
wakes every cast in it, and hands the lead to the first cast queued meanwhile. A
follower gives its admission slot to the next request (voting.admission.step_aside:
it only sleeps until its batch is written, and the casts that run meanwhile make the
next batch) and waits for its event, which the leader sets in a `finally`, whatever
happens.
"""
import os
import secrets
import threading
from dataclasses import dataclass, field

from flask import current_app
from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from voting.ballots.models import Ballot, BallotState, CastBallot, IdempotencyRecord, NamedVote, Participation
from voting.extensions import db

# At most this many casts in one transaction: 64 casts of a 25-item ballot under
# tellers are about 2.6 MB written in one commit, and each statement binds at most
# 64 × 8 values, far below SQLite's limit of 32,766.
LIMIT = 64

STORED, ALONE, CLOSED, LEAD = "stored", "alone", "closed", "lead"


@dataclass(eq=False)
class PendingCast:
    """One cast's rows, ready to write (casting._store_cast's arguments)."""
    ballot_id: int
    deputy_id: int
    key_hash: str
    tracker: str
    sealed: bytes
    origin: str | None
    named: str | None
    sealed_receipt: bytes
    check: str | None
    # Set by the batch that held it: STORED (committed), ALONE (store it alone),
    # CLOSED (the ballot was not open), or LEAD (write the next batch). `error`: the
    # batch failed with it and nothing of the batch is stored.
    outcome: str | None = None
    error: BaseException | None = None
    done: threading.Event = field(default_factory=threading.Event)


class GroupCommit:
    def __init__(self, begin, write, *, limit: int = LIMIT, before_waiting=lambda: None):
        self._begin = begin
        self._write = write
        self._before_waiting = before_waiting
        self._limit = limit
        self._mutex = threading.Lock()
        self._queue: list[PendingCast] = []
        self._writing = False  # a leader is writing; then every new cast queues

    def submit(self, cast: PendingCast) -> PendingCast:
        """Queue `cast` and return it once a batch holding it has been written
        (`outcome` or `error` set)."""
        with self._mutex:
            self._queue.append(cast)
            lead = not self._writing
            self._writing = True
        if not lead:
            self._before_waiting()
            cast.done.wait()
            if cast.outcome != LEAD:
                return cast
            cast.outcome = None
        batch = [cast]
        try:
            # The write lock first, then the batch: what queued while the lock was
            # awaited is written with it.
            self._begin()
            with self._mutex:
                batch = self._queue[:self._limit]
                del self._queue[:self._limit]
            self._write(batch)
        except BaseException as error:  # nothing of the batch is stored: each request fails with it
            for each in batch:
                each.outcome, each.error = None, error
            raise
        finally:
            with self._mutex:
                if cast in self._queue:  # failed before taking its batch: the others are left queued
                    self._queue.remove(cast)
                successor = self._queue[0] if self._queue else None
                self._writing = successor is not None
            for each in batch:
                if each is not cast:
                    each.done.set()
            if successor is not None:
                successor.outcome = LEAD
                successor.done.set()
        return cast


def begin_batch() -> None:
    """Begin the batch's write transaction: SQLite's write lock (the writers' gate and
    BEGIN IMMEDIATE, voting.database) is held from here."""
    db.session.connection()


def write_batch(batch: list[PendingCast]) -> None:
    """Write the plain casts of `batch` in one transaction (the session's, under the
    write lock: BEGIN IMMEDIATE on SQLite, the ballots' rows FOR SHARE on PostgreSQL)
    and set each cast's outcome. Raises, with nothing stored, if the commit fails."""
    try:
        plain = _plain_casts(batch)
        if plain:
            _write(plain)
        db.session.commit()
    except IntegrityError:
        # Not foreseen by the checks (they read under the write lock): nothing of the
        # batch is stored, and each of its casts is stored alone, where it is answered exactly.
        db.session.rollback()
        for cast in batch:
            if cast.outcome is None:
                cast.outcome = ALONE
        return
    except BaseException:
        db.session.rollback()
        raise
    for cast in plain:
        cast.outcome = STORED


def _plain_casts(batch: list[PendingCast]) -> list[PendingCast]:
    """The casts of `batch` to write together, in a random order; the others get
    their outcome: CLOSED (ballot not open) or ALONE (a deputy or tracker stored
    before, or earlier in this batch).

    The tables are read (and then written) in the order of the rewrite at close,
    cast ballots before participations (voting.ballots.secrecy): on PostgreSQL the
    close's CLUSTER locks them in that order, and a batch taking them the other way
    round could deadlock with it. A batch whose ballots are all closed reads neither."""
    ballot_ids = sorted({cast.ballot_id for cast in batch})
    states = dict(db.session.execute(
        select(Ballot.id, Ballot.state).where(Ballot.id.in_(ballot_ids)).with_for_update(read=True)).all())
    for cast in batch:
        if states.get(cast.ballot_id) != BallotState.open.value:
            cast.outcome = CLOSED
    candidates = [cast for cast in batch if cast.outcome is None]
    if not candidates:
        return []
    ballot_ids = sorted({cast.ballot_id for cast in candidates})
    trackers = {tuple(row) for row in db.session.execute(select(CastBallot.ballot_id, CastBallot.tracker).where(
        CastBallot.ballot_id.in_(ballot_ids), CastBallot.tracker.in_(sorted({cast.tracker for cast in candidates}))))}
    voted = {tuple(row) for row in db.session.execute(select(Participation.ballot_id, Participation.deputy_id).where(
        Participation.ballot_id.in_(ballot_ids),
        Participation.deputy_id.in_(sorted({cast.deputy_id for cast in candidates}))))}
    plain = []
    for cast in candidates:
        voter, tracker = (cast.ballot_id, cast.deputy_id), (cast.ballot_id, cast.tracker)
        if voter in voted or tracker in trackers:
            cast.outcome = ALONE
        else:
            voted.add(voter)
            trackers.add(tracker)
            plain.append(cast)
    secrets.SystemRandom().shuffle(plain)
    return plain


def _write(plain: list[PendingCast]) -> None:
    """The rows of `plain`: cast ballots, participations, named votes, idempotency
    records, one statement each (the order `_plain_casts` explains)."""
    _insert(CastBallot, [{"id": secrets.token_hex(16), "ballot_id": c.ballot_id, "tracker": c.tracker,
                          "sealed": c.sealed, "channel": "tablet", "invalid": False, "origin": c.origin,
                          "proof_check": c.check, "rejection": None} for c in plain])
    _insert(Participation, [{"ballot_id": c.ballot_id, "deputy_id": c.deputy_id, "channel": "tablet"}
                            for c in plain])
    _insert(NamedVote, [{"ballot_id": c.ballot_id, "deputy_id": c.deputy_id, "choices": c.named}
                        for c in plain if c.named is not None])
    _insert(IdempotencyRecord, [{"key_hash": c.key_hash, "ballot_id": c.ballot_id, "receipt": c.sealed_receipt}
                                for c in plain])


def _insert(model, rows: list[dict]) -> None:
    """One INSERT … VALUES (…), (…) for all rows: one statement, one step."""
    if rows:
        db.session.execute(insert(model.__table__).values(rows))


def group_commit() -> GroupCommit:
    """The app's GroupCommit in this process (a forked worker makes its own, never
    uses its parent's)."""
    from voting.admission import step_aside  # voting.admission imports the web layer, which imports this

    pid = os.getpid()
    with _making:
        made = current_app.extensions.get("group_commit")
        if made is None or made[0] != pid:
            made = current_app.extensions["group_commit"] = (pid, GroupCommit(begin_batch, write_batch,
                                                                                  before_waiting=step_aside))
    return made[1]


_making = threading.Lock()
