"""A ballot under tellers: its shape, casts encrypted to the joint key (on the device,
or at once by the server for a plain API cast), the encrypted sums at close, the
tellers' decryption shares and the counts they open (docs/BOARD.md).

No single cast is ever decrypted: only the per-item, per-option products of every
accepted cast, and only with k tellers' shares, each checked against its proof."""
import hashlib
import json
import secrets

from sqlalchemy import select

from voting.ballots.models import Ballot, CastBallot
from voting.crypto import elgamal
from voting.crypto.ballot import (
    BallotRejected, Shape, cast_form_digest, ciphertext_rows, encrypt_ballot, item_counts, tracker_of, verify_ballot,
)
from voting.crypto.elgamal import Ciphertext
from voting.database import write_intent
from voting.errors import Refusal, invalid_transition
from voting.extensions import db
from voting.integrity.canonical import canonical_json
from voting.tellers import ceremony as ceremonies, checking
from voting.tellers.checking import shape_of
from voting.tellers.models import DecryptionShare, EncryptedTally, RejectedCast


def encrypt_for(ballot: Ballot, completed: dict) -> tuple[bytes, str, str]:
    """A plain cast (already checked by the rules) encrypted and proved by the server:
    (stored bytes, tracker, proof check). The choices live only in this request's
    memory. Its proofs are checked like a device's: here, or queued (voting.tellers.checking)."""
    shape = shape_of(ballot)
    encrypted = encrypt_ballot(ballot.teller_key, shape, completed)
    if checking.queued():
        return canonical_json(encrypted), tracker_of(cast_form_digest(shape, encrypted)), checking.PENDING
    tracker, _ = verify_ballot(ballot.teller_key, shape, encrypted)  # the tracker, and a self-check
    return canonical_json(encrypted), tracker, checking.VALID


def checked_device_cast(ballot: Ballot, encrypted, stored: bytes) -> tuple[str, str]:
    """A cast encrypted on the tablet (`stored`: its canonical JSON): (tracker, proof check). Its form is
    checked here; its proofs here too ("valid"), or later when checks are queued
    ("pending"). A cast that fails here is kept as refused (for the board) and refused
    with 422: the deputy votes again."""
    shape = shape_of(ballot)
    try:
        if checking.queued():
            tracker, check = tracker_of(cast_form_digest(shape, encrypted)), checking.PENDING
        else:
            (tracker, _), check = verify_ballot(ballot.teller_key, shape, encrypted), checking.VALID
    except BallotRejected as error:
        _keep_rejected(ballot.id, stored, str(error))
        raise Refusal(422, "ballot_rejected", f"加密选票未通过核验，未被计入：{error}。请重新投票。")
    return tracker, check


def _keep_rejected(ballot_id: int, raw: bytes, reason: str) -> None:
    """In its own short transaction, with no deputy and no time (RejectedCast)."""
    tracker = _tracker_of_raw(raw)
    db.session.commit()  # end the cast's read transaction
    previous_intent = write_intent.set(True)
    try:
        if db.session.scalar(select(RejectedCast.id).where(RejectedCast.ballot_id == ballot_id,
                                                            RejectedCast.tracker == tracker)) is None:
            db.session.add(RejectedCast(id=secrets.token_hex(16), ballot_id=ballot_id, tracker=tracker,
                                        encrypted=raw, reason=reason[:200]))
        db.session.commit()
    finally:
        write_intent.reset(previous_intent)


def _tracker_of_raw(raw: bytes) -> str:
    """A rejected cast's tracker: its ciphertexts may not even parse, so it is the
    digest of its bytes as received (canonical JSON), in the same 4×4 form."""
    return tracker_of(hashlib.sha256(b"rejected" + raw).digest())


# --- close: the encrypted sums ---------------------------------------------------------

def encrypted_casts(ballot_id: int):
    """(tracker, origin, encrypted dict) of every counted cast under tellers: its proofs
    were checked and hold."""
    yield from _casts(ballot_id, checking.VALID, CastBallot.origin)


def failed_casts(ballot_id: int):
    """(tracker, reason, encrypted dict) of every cast that was accepted and then failed
    its check (never counted; an invalid ballot on the sheet)."""
    for tracker, reason, encrypted in _casts(ballot_id, checking.FAILED, CastBallot.rejection):
        yield tracker, reason or "", encrypted


def _casts(ballot_id: int, check: str, column):
    rows = db.session.execute(select(CastBallot.tracker, column, CastBallot.sealed).where(
        CastBallot.ballot_id == ballot_id, CastBallot.proof_check == check).order_by(CastBallot.tracker))
    for tracker, value, raw in rows:
        yield tracker, value, json.loads(raw)


def rejected_trackers(ballot_id: int) -> tuple[list[str], int]:
    """(every rejected cast's tracker, sorted; how many of them failed after acceptance):
    those refused when sent and those accepted that then failed their check."""
    refused = db.session.scalars(select(RejectedCast.tracker).where(RejectedCast.ballot_id == ballot_id))
    failed = list(db.session.scalars(select(CastBallot.tracker).where(
        CastBallot.ballot_id == ballot_id, CastBallot.proof_check == checking.FAILED)))
    return sorted([*refused, *failed]), len(failed)


def sum_casts(ballot: Ballot) -> EncryptedTally:
    """At close: the product of every accepted cast, per item and column (its options,
    or its one packed ciphertext), stored."""
    shape = shape_of(ballot)
    sums = [[elgamal.ZERO for _ in shape.columns] for _ in shape.item_ids]
    accepted = 0
    for _tracker, _origin, encrypted in encrypted_casts(ballot.id):
        rows = _rows_of_stored(shape, encrypted)
        sums = [[s * c for s, c in zip(sum_row, row)] for sum_row, row in zip(sums, rows)]
        accepted += 1
    tally = EncryptedTally(ballot_id=ballot.id, accepted=accepted,
                           sums_json=canonical_json([[c.to_json() for c in row] for row in sums]).decode())
    db.session.add(tally)
    return tally


def _rows_of_stored(shape: Shape, encrypted) -> list[list[Ciphertext]]:
    return ciphertext_rows(shape, encrypted)


def sums_digest(sums_json: str) -> str:
    return hashlib.sha256(sums_json.encode("utf-8")).hexdigest()


def encrypted_sums_digest(ballot_id: int) -> str | None:
    tally = db.session.get(EncryptedTally, ballot_id)
    return sums_digest(tally.sums_json) if tally else None


def stored_sums(ballot: Ballot) -> tuple[list[list[Ciphertext]], int]:
    tally = db.session.get(EncryptedTally, ballot.id)
    if tally is None:
        raise Refusal(409, "results_not_available", "表决尚未结束，没有待解密的密文合计。")
    return [[Ciphertext.from_json(c) for c in row] for row in json.loads(tally.sums_json)], tally.accepted


def share_context(ballot_id: int, item_id: str, column: str, position: int) -> str:
    """A share's context: `column` is an option (one-hot) or "packed"."""
    return f"ballot:{ballot_id}|item:{item_id}|option:{column}|teller:{position}"


# --- the tellers' decryption shares ----------------------------------------------------

def submit_shares(ballot: Ballot, user, shares) -> int:
    """A teller's proved shares of every sum (items × columns, in the ballot's order).
    Returns how many tellers have given theirs. Refused unless every proof holds."""
    if not ballot.awaiting_tellers:
        raise invalid_transition("本项表决没有等待监票人解密的合计。")
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    seat = next((s for s in ceremony.seats if s.user_id == user.id), None) if ceremony else None
    if seat is None:
        raise Refusal(403, "not_a_teller", "您不是本次会议指定的监票人。")
    if db.session.get(DecryptionShare, (ballot.id, seat.position)) is not None:
        raise Refusal(409, "already_decrypted", "您已经提交过本项表决的解密份额。")
    shape = shape_of(ballot)
    sums, _accepted = stored_sums(ballot)
    if not isinstance(shares, list) or len(shares) != len(shape.item_ids) or not all(
            isinstance(row, list) and len(row) == len(shape.columns) for row in shares):
        raise Refusal(400, "bad_request", "shares 须为“每个项目 → 每列密文（columns）”的解密份额二维列表，顺序与表决一致。")
    verification_key = ceremonies.verification_keys(ceremony)[seat.position]
    for item_id, sum_row, share_row in zip(shape.item_ids, sums, shares):
        for column, ciphertext, share in zip(shape.columns, sum_row, share_row):
            context = share_context(ballot.id, item_id, column, seat.position)
            if not isinstance(share, dict) or elgamal.check_share(verification_key, context, ciphertext, share) is None:
                raise Refusal(422, "proof_invalid", f"项目 {item_id} 密文 {column} 的解密份额证明不成立，未予接受。")
    db.session.add(DecryptionShare(ballot_id=ballot.id, position=seat.position,
                                   shares_json=canonical_json(shares).decode()))
    db.session.flush()
    return len(stored_shares(ballot.id))


def stored_shares(ballot_id: int) -> dict[int, list]:
    rows = db.session.execute(select(DecryptionShare.position, DecryptionShare.shares_json).where(
        DecryptionShare.ballot_id == ballot_id).order_by(DecryptionShare.position))
    return {position: json.loads(text) for position, text in rows}


class DecryptionFailed(ValueError):
    """Stored sums or shares that do not open to counts (tampering)."""


def decrypted_counts(ballot: Ballot) -> tuple[dict, int]:
    """({item: {option: n}}, accepted casts) from the first k stored shares, each proof
    checked again; DecryptionFailed when a proof fails or a sum is no count."""
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    shape = shape_of(ballot)
    sums, accepted = stored_sums(ballot)
    shares = stored_shares(ballot.id)
    if ceremony is None or len(shares) < ceremony.threshold:
        raise DecryptionFailed(f"表决 {ballot.id} 的解密份额不足 {ceremony.threshold if ceremony else '?'} 份")
    keys = ceremonies.verification_keys(ceremony)
    used = sorted(shares)[:ceremony.threshold]
    table = elgamal.log_table(accepted)
    counts = {}
    for i, item_id in enumerate(shape.item_ids):
        points = []
        for j, column in enumerate(shape.columns):
            parts = {}
            for position in used:
                point = elgamal.check_share(keys[position], share_context(ballot.id, item_id, column, position),
                                            sums[i][j], shares[position][i][j])
                if point is None:
                    raise DecryptionFailed(f"表决 {ballot.id} 监票人 {position} 的解密份额证明不成立")
                parts[position] = point
            points.append(elgamal.combine(sums[i][j], parts))
        counts[item_id] = item_counts(shape, points, accepted, table)
        if counts[item_id] is None:
            raise DecryptionFailed(f"表决 {ballot.id} 项目 {item_id} 的合计解密后不是有效票数")
    return counts, accepted


def encryption_summary(ballot: Ballot) -> dict:
    """The sheet's "encryption" block: how the ballot was kept secret and counted."""
    if not ballot.with_tellers:
        return {"mode": "installation", "mode_text": "安装密钥密封（未指定监票人）"}
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    origins = {"device": 0, "server": 0}
    for origin in db.session.scalars(select(CastBallot.origin).where(CastBallot.ballot_id == ballot.id,
                                                                     CastBallot.proof_check == checking.VALID)):
        origins[origin] = origins.get(origin, 0) + 1
    rejected, failed = rejected_trackers(ballot.id)
    return {"mode": "tellers", "mode_text": f"监票人门限密钥（{ceremony.threshold}/{ceremony.size}）",
            "threshold": ceremony.threshold, "tellers": ceremony.size, "joint_key": ballot.teller_key.hex(),
            "encrypted_on_device": origins["device"], "encrypted_by_server": origins["server"],
            "rejected": len(rejected), "rejected_trackers": rejected, "failed_after_acceptance": failed,
            "decrypted_by": sorted(stored_shares(ballot.id))[:ceremony.threshold]}
