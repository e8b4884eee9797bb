"""Checking the proofs of encrypted casts (issue #17, docs/BOARD.md "Checks").

Checking one cast's proofs costs the server tens of milliseconds of CPU, several times
what storing it costs. `CAST_CHECK` says where it is done:

- "inline": inside the cast request; a cast whose proofs fail is refused (422
  `ballot_rejected`), kept on the board as refused, and the deputy votes again.
- "queued": the request checks the cast's form only (its items, options and that every
  point is a ristretto255 point), stores it as "pending" and answers at once; checker
  processes (`flask check-casts --follow`, started beside gunicorn by gunicorn.conf.py)
  check the pending casts at low priority, and closing a ballot checks whatever is still
  pending before the sums are made. A cast whose proofs fail is then "failed": it was
  cast (the deputy holds its receipt) but is never counted; the sheet counts it as an
  invalid ballot (无效票) and the board shows it with its reason.

Nothing here decrypts anything: a check reads public ciphertexts and proofs only."""
import json
import logging
import os
import time
from contextlib import contextmanager

from flask import current_app
from sqlalchemy import func, select, update

from voting.ballots.models import Ballot, CastBallot
from voting.crypto.ballot import ONE_HOT, BallotRejected, Shape, verify_ballot
from voting.database import write_intent
from voting.extensions import db
from voting.rules import cast_options, option_limit

logger = logging.getLogger(__name__)

PENDING, VALID, FAILED = "pending", "valid", "failed"
CHECK_MODES = ("inline", "queued")


def shape_of(ballot: Ballot) -> Shape:
    """The ballot's items and options in order, and the limit its rule sets (voting.rules)."""
    limited = option_limit(ballot.kind, ballot.seats) or (None, None)
    return Shape(ballot_id=ballot.id, item_ids=ballot.item_keys,
                 options=tuple(cast_options(ballot.kind, ballot.options)), limited_option=limited[0],
                 limit=limited[1], encoding=ballot.cast_encoding or ONE_HOT)


def queued() -> bool:
    return current_app.config.get("CAST_CHECK", "inline") == "queued"


def part_of(cast_id: str, parts: int) -> int:
    """Which of `parts` checker processes checks this cast (the ids are random hex)."""
    return int(cast_id[:8], 16) % parts


def pending_ids(*, ballot_id: int | None = None, part: int = 0, parts: int = 1, limit: int | None = None) -> list[str]:
    query = select(CastBallot.id).where(CastBallot.proof_check == PENDING)
    if ballot_id is not None:
        query = query.where(CastBallot.ballot_id == ballot_id)
    with reading():
        found = list(db.session.scalars(query.order_by(CastBallot.id)))
    ids = [cast_id for cast_id in found if part_of(cast_id, parts) == part]
    return ids[:limit] if limit else ids


@contextmanager
def reading():
    """A read transaction where none is open yet (on SQLite a plain BEGIN, not the write
    lock every transaction takes by default, voting.database): a checker must never
    hold the lock the casts need."""
    if db.session().in_transaction():
        yield
        return
    token = write_intent.set(False)
    try:
        yield
        db.session.commit()  # ends the read transaction it opened
    finally:
        write_intent.reset(token)


def check_counts(ballot_id: int) -> dict:
    """{"pending", "valid", "failed"}: the casts of a ballot under tellers by check."""
    rows = db.session.execute(select(CastBallot.proof_check, func.count()).where(
        CastBallot.ballot_id == ballot_id, CastBallot.proof_check.is_not(None)).group_by(CastBallot.proof_check))
    counts = {PENDING: 0, VALID: 0, FAILED: 0}
    counts.update({check: number for check, number in rows})
    return counts


def verdicts(ids) -> dict[str, str | None]:
    """{cast id: None when every proof holds, else why not} for the pending casts among
    `ids`. When no transaction is open, the casts are read in a short read transaction
    that ends before the CPU work begins."""
    with reading():
        rows = db.session.execute(select(CastBallot.id, CastBallot.ballot_id, CastBallot.tracker, CastBallot.sealed)
                                  .where(CastBallot.id.in_(list(ids)), CastBallot.proof_check == PENDING)).all()
        shapes = {}
        for ballot_id in {row.ballot_id for row in rows}:
            ballot = db.session.get(Ballot, ballot_id)
            shapes[ballot_id] = (ballot.teller_key, shape_of(ballot))
    return {cast_id: _verdict(*shapes[ballot_id], tracker, raw) for cast_id, ballot_id, tracker, raw in rows}


def _verdict(key: bytes, shape, tracker: str, raw: bytes) -> str | None:
    try:
        checked_tracker, _ = verify_ballot(key, shape, json.loads(raw))
    except BallotRejected as error:
        return str(error)[:200]
    except (ValueError, TypeError, KeyError, AttributeError) as error:
        return f"加密选票格式不符：{type(error).__name__}"[:200]
    return None if checked_tracker == tracker else "回执码与密文不符"


def mark(found: dict[str, str | None]) -> int:
    """Write the verdicts into the current transaction; a cast someone else marked in
    the meantime keeps that mark. Returns how many failed."""
    valid = [cast_id for cast_id, reason in found.items() if reason is None]
    if valid:  # one statement for the usual batch: the write lock is held the shortest time
        db.session.execute(update(CastBallot).where(CastBallot.id.in_(valid), CastBallot.proof_check == PENDING)
                           .values(proof_check=VALID, rejection=None))
    for cast_id, reason in found.items():
        if reason is not None:
            db.session.execute(update(CastBallot).where(CastBallot.id == cast_id, CastBallot.proof_check == PENDING)
                               .values(proof_check=FAILED, rejection=reason))
    return sum(1 for reason in found.values() if reason is not None)


def check_batch(ids) -> tuple[int, int]:
    """Check these casts with no transaction open while the CPU works, then mark them
    in one short write transaction. Returns (checked, failed)."""
    db.session.commit()  # whatever was open: the check reads and writes in its own transactions
    found = verdicts(ids)
    if not found:
        return 0, 0
    token = write_intent.set(True)
    try:
        failed = mark(found)
        db.session.commit()
    finally:
        write_intent.reset(token)
    return len(found), failed


def check_pending(*, ballot_id: int | None = None, part: int = 0, parts: int = 1, batch: int = 32) -> tuple[int, int]:
    """Check every pending cast (of one ballot, or of this checker's part), batch by
    batch. Returns (checked, failed)."""
    checked = failed = 0
    db.session.commit()  # whatever was open: the check reads and writes in its own transactions
    while True:
        ids = pending_ids(ballot_id=ballot_id, part=part, parts=parts, limit=batch)
        if not ids:
            return checked, failed
        done, bad = check_batch(ids)  # casts another process marked first are skipped
        checked, failed = checked + done, failed + bad


def follow(*, part: int = 0, parts: int = 1, idle: float = 0.25, echo=None) -> None:
    """`flask check-casts --follow`: check pending casts as they arrive, until the
    process that started this one (gunicorn's master) is gone. A pass that finds
    nothing waits `idle` seconds before it looks again."""
    parent = os.getppid()
    while os.getppid() == parent:
        began = time.monotonic()
        try:
            checked, failed = check_pending(part=part, parts=parts)
        except Exception:  # noqa: BLE001  (a checker outlives any one failure: the next pass tries again)
            db.session.rollback()
            logger.exception("checking casts failed; trying again")
            checked, failed = 0, 0
        if failed:
            logger.warning("%d encrypted cast(s) failed their proof check and will not be counted", failed)
        if checked and echo:
            echo(f"{time.strftime('%H:%M:%S')} 核验了 {checked} 张加密选票，其中 {failed} 张未通过，"
                 f"用时 {time.monotonic() - began:.2f} 秒")
        if not checked:
            time.sleep(idle)
