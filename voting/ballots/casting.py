"""Casting a vote from a tablet or the API: checked, sealed to the ballot's key, stored
apart from who voted. Two submissions by one deputy collide on Participation's
primary key; the loser rolls back everything it wrote and gets 409 already_voted.

Nothing here logs or audits a choice, a tracker next to a deputy, or a request body."""
import copy
import secrets

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from voting.ballots import groupcommit, idempotency
from voting.ballots.groupcommit import PendingCast, group_commit
from voting.ballots.models import Ballot, BallotState, CastBallot, IdempotencyRecord, NamedVote, Participation
from voting.ballots.creating import MAX_ITEMS, bad_input
from voting.ballots.reading import voter_standing
from voting.rules import ABSTAIN
from voting.database import write_intent
from voting.extensions import db
from voting.integrity import sealing
from voting.integrity.canonical import canonical_json
from voting.errors import Refusal
from voting.meetings.models import Deputy
from voting.tellers import tally as tellers
from voting.rules import ChoiceError, check_choices


def checked_choices_shape(choices) -> dict:
    if not isinstance(choices, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in choices.items()):
        raise bad_input("choices 必须是“项目编号 → 选择”的对象，例如 {\"12\": \"yes\"}。")
    if len(choices) > MAX_ITEMS:
        raise bad_input("选择的项目过多。")
    return choices


def item_keys(ballot: Ballot) -> list[str]:
    return list(ballot.item_keys)


def sealed_length(ballot: Ballot) -> int:
    """The padded plaintext size of this ballot: room for every item marked with
    its longest choice, so every sealed ballot of this ballot is the same size."""
    longest = max([*ballot.options, ABSTAIN], key=lambda option: len(option.encode()))
    return sealing.padded_length(len(canonical_json({key: longest for key in item_keys(ballot)})))


def seal_choices(ballot: Ballot, completed: dict) -> tuple[bytes, str]:
    sealed = sealing.seal(ballot.public_key, ballot.id, canonical_json(completed), sealed_length(ballot))
    return sealed, sealing.tracker_for(sealed)


def _replayed_receipt(key_hash: str, idempotency_key: str) -> str | None:
    record = db.session.get(IdempotencyRecord, key_hash)
    if record is None:
        return None
    return idempotency.open_receipt(idempotency_key, key_hash, record.receipt)


def _checked_idempotency_key(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refusal(400, "idempotency_key_required", "缺少请求头 Idempotency-Key：请为每次投票生成一个唯一值，重试时保持不变。")
    if len(value) > idempotency.MAX_KEY_LENGTH:
        raise bad_input(f"Idempotency-Key 不能超过{idempotency.MAX_KEY_LENGTH}个字符。")
    return value


def not_open() -> Refusal:
    return Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")


def voted_already() -> Refusal:
    return Refusal(409, "already_voted", "您已经对本项表决投过票，不能重复投票。")


def cast_vote(ballot: Ballot, deputy: Deputy, choices, idempotency_key, *, encrypted=None,
              standing=None, fresh: bool = False) -> tuple[str, bool]:
    """A deputy's electronic vote. Returns (receipt, created): created is False when
    this is a retry of a stored vote (same Idempotency-Key and body).

    Under tellers (`ballot.with_tellers`, docs/BOARD.md) the cast is stored encrypted to
    the tellers' joint key: `encrypted` from the tablet is checked proof by proof (a
    failing one is kept as rejected and refused, 422 ballot_rejected); plain `choices`
    are encrypted and proved by the server at once. Otherwise the choices are sealed
    to the installation's key (voting.integrity.sealing).

    Refusals: 400 bad body or missing key · 404 other meeting · 409 ballot_not_open ·
    403 not_eligible (not present when the ballot opened) · 409 already_voted ·
    422 too_many_yes / unknown_item / unknown_choice. A refusal stores nothing.

    Two transactions: the checks and the sealing run in a read transaction; then a
    short write transaction takes the lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    ballot row FOR SHARE, which `close` must wait for), checks again that the ballot
    is open, and writes the participation, the cast ballot and the idempotency
    record together (a vote of the deputy stored meanwhile fails it on
    participation's primary key). So a hall of tablets queues only for
    the few milliseconds of the write, never for another tablet's checks; and the
    casts that arrive while one is being written are written together, in one
    transaction (voting.ballots.groupcommit), the uncommon ones alone by `_store_cast`.

    `standing(ballot, voter)`, when given, is called first in the read transaction
    with the ballot as just read and the deputy's `reading.VoterStanding` (issued,
    voted by which channel, present), and raises a Refusal of its own (ballots.hall:
    the paper holder, the deputy who left): one query reads them for it and for the
    checks here.

    `fresh`: the caller read `ballot` in this request and nothing of it changed since,
    so it is not read again (the write transaction checks again that it is open)."""
    idempotency_key = _checked_idempotency_key(idempotency_key)
    stored = None
    if encrypted is None:
        choices = checked_choices_shape(choices)
        key_hash = idempotency.record_key(deputy.id, ballot.id, idempotency_key, choices)
    else:  # a 40 KB cast is serialized once, for this key and for what is stored
        stored = canonical_json(encrypted)
        key_hash = idempotency.record_key(deputy.id, ballot.id, idempotency_key, {"encrypted": encrypted},
                                          body=b'{"encrypted":' + stored + b"}")
    if not fresh:
        ballot = db.session.get(Ballot, ballot.id, populate_existing=True)
        if ballot is None:
            raise Refusal(404, "not_found", "未找到该表决。")
    if ballot.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "未找到该表决。")
    voter = voter_standing(ballot, deputy)
    if standing is not None:
        standing(ballot, voter)
    # A retry of a stored vote is answered with its receipt; it can only have been
    # stored by a deputy who has voted, so it is looked for only where one has (or
    # where the ballot closed since), not on every first cast.
    if ballot.state != BallotState.open.value:
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        raise not_open()
    if not voter.issued:
        raise Refusal(403, "not_eligible", "您在本项表决开始时未签到，不能参加本项表决。")
    if voter.channel is not None:
        # The same request may have been stored since we looked (a retry racing its original).
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        raise voted_already()
    sealed, tracker, origin, named, check = _stored_form(ballot, choices, encrypted, stored)
    ballot_id, deputy_id = ballot.id, deputy.id
    sealed_receipt = idempotency.seal_receipt(idempotency_key, key_hash, tracker)
    db.session.commit()  # end the read transaction (the cast itself has written nothing yet)
    previous_intent = write_intent.set(True)
    try:
        written = group_commit().submit(PendingCast(ballot_id, deputy_id, key_hash, tracker, sealed, origin, named,
                                                    sealed_receipt, check))
        if written.error is not None:  # the batch another request wrote failed: nothing of it is stored
            raise _raised_again(written.error) from written.error
        if written.outcome == groupcommit.STORED:
            return tracker, True
        if written.outcome == groupcommit.CLOSED:
            raise not_open()
        return _store_cast(ballot_id, deputy_id, key_hash, idempotency_key, sealed, tracker, origin, named,
                           sealed_receipt, check)
    finally:
        write_intent.reset(previous_intent)


def _raised_again(error: BaseException) -> BaseException:
    """A copy of the batch's error to raise in this request's thread (the leader raises the
    original in its own), so that two threads never share one traceback."""
    try:
        return copy.copy(error)
    except Exception:  # an exception that cannot be copied: raised as it is
        return error


def _stored_form(ballot: Ballot, choices, encrypted, stored: bytes | None) -> tuple[bytes, str, str | None, str | None, str | None]:
    """(stored bytes, tracker, origin, named choices, proof check) of a cast: encrypted
    to the tellers (on the device, or here), or sealed to the installation's key.
    `stored` is canonical_json(encrypted). A device cast whose tracker is taken (another
    deputy's cast sent again) fails the unique (ballot, tracker) at commit: `_store_cast`."""
    if encrypted is not None:
        if not ballot.with_tellers:
            raise Refusal(400, "not_encrypted_ballot", "本项表决未使用监票人密钥，请提交 choices。")
        tracker, check = tellers.checked_device_cast(ballot, encrypted, stored)
        return stored, tracker, "device", None, check
    try:
        completed = check_choices(ballot.kind, item_keys=item_keys(ballot), choices=choices,
                                  seats=ballot.seats, options=ballot.options)
    except ChoiceError as error:
        raise Refusal(422, error.code, error.message)
    if ballot.with_tellers:
        sealed, tracker, check = tellers.encrypt_for(ballot, completed)
        return sealed, tracker, "server", None, check
    sealed, tracker = seal_choices(ballot, completed)
    return sealed, tracker, None, (None if ballot.secret else canonical_json(completed).decode()), None


def _tracker_taken(ballot_id: int, tracker: str) -> bool:
    return db.session.scalar(select(CastBallot.id).where(CastBallot.ballot_id == ballot_id,
                                                         CastBallot.tracker == tracker)) is not None


def copied_cast() -> Refusal:
    return Refusal(422, "ballot_rejected", "这张加密选票与已投出的一张完全相同（复制的选票），未被计入。请重新投票。")


def _store_cast(ballot_id: int, deputy_id: int, key_hash: str, idempotency_key: str, sealed: bytes, tracker: str,
                origin: str | None, named: str | None, sealed_receipt: bytes, check: str | None) -> tuple[str, bool]:
    """The write half of `cast_vote`, in one transaction under the lock."""
    state = db.session.scalar(select(Ballot.state).where(Ballot.id == ballot_id).with_for_update(read=True))
    if state != BallotState.open.value:
        db.session.rollback()
        raise not_open()
    # A vote of this deputy stored since the checks (a retry racing its original) makes
    # the commit fail on participation's primary key: handled below, nothing of ours stored.
    db.session.add(Participation(ballot_id=ballot_id, deputy_id=deputy_id, channel="tablet"))
    db.session.add(CastBallot(id=secrets.token_hex(16), ballot_id=ballot_id, tracker=tracker, sealed=sealed,
                              channel="tablet", invalid=False, origin=origin, proof_check=check))
    if named is not None:
        db.session.add(NamedVote(ballot_id=ballot_id, deputy_id=deputy_id, choices=named))
    db.session.add(IdempotencyRecord(key_hash=key_hash, ballot_id=ballot_id, receipt=sealed_receipt))
    try:
        db.session.commit()
    except IntegrityError:
        # Another submission of this deputy committed first: nothing of ours is stored.
        db.session.rollback()
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        if db.session.get(Participation, (ballot_id, deputy_id)) is None:
            if origin == "device" and _tracker_taken(ballot_id, tracker):
                raise copied_cast()  # another deputy's encrypted cast sent again, byte for byte
            raise  # not a double vote (cannot happen short of a tracker collision): a real error
        raise voted_already()
    return tracker, True
