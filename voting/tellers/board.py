"""The public board of a ballot under tellers (docs/BOARD.md): everything an
independent verifier (`python -m voting.verifier`) needs to check the result without
the server, its database or its keys."""
import json

from sqlalchemy import select

from voting.ballots.counting import accepted_options, add_paper_counts, unsealed_casts
from voting.ballots.models import Ballot, BallotState, CastBallot
from voting.ballots.reading import stored_sheet
from voting.errors import Refusal, not_found
from voting.extensions import db
from voting.inputlimits import id_from
from voting.tellers import ceremony as ceremonies, checking
from voting.tellers.tally import (
    encrypted_casts, failed_casts, rejected_trackers, shape_of, stored_shares, stored_sums,
)
from voting.tellers.models import EncryptedTally, RejectedCast

FORMAT = "minsheng-voting-board/2"


def sums_json(ballot: Ballot) -> dict:
    """What a teller's device decrypts: the sums in the ballot's item and column order
    (`columns`: the options, or ["packed"]; a share's context names its column)."""
    if not ballot.with_tellers:
        raise Refusal(409, "no_tellers", "本项表决未使用监票人密钥，没有加密合计。")
    shape = shape_of(ballot)
    sums, accepted = stored_sums(ballot)
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    return {"ballot_id": str(ballot.id), "items": list(shape.item_ids), "options": list(shape.options),
            "columns": list(shape.columns), "encoding": shape.encoding_json(), "sums": [[c.to_json() for c in row] for row in sums], "accepted": accepted,
            "awaiting_tellers": bool(ballot.awaiting_tellers), "threshold": ceremony.threshold,
            "given": sorted(stored_shares(ballot.id))}


def checks_json(ballot: Ballot) -> dict:
    if not ballot.with_tellers:
        raise Refusal(409, "no_tellers", "本项表决未使用监票人密钥，没有加密选票需要核验。")
    mode = "queued" if checking.queued() else "inline"
    return {"ballot_id": str(ballot.id), "mode": mode, **checking.check_counts(ballot.id)}


def paper_totals(ballot: Ballot) -> dict:
    """The paper ballots the tellers counted in the clear: how many, how many invalid,
    and their marks per item and option."""
    counts = {str(item.id): {option: 0 for option in accepted_options(ballot)} for item in ballot.items}
    ballots = invalid = 0
    for channel, is_invalid, choices in unsealed_casts(ballot):
        ballots += 1
        if is_invalid:
            invalid += 1
            continue
        for key, choice in choices.items():
            counts[key][choice] += 1
    channels = {"tablet": 0, "paper": 0}
    invalid += add_paper_counts(ballot, counts, channels)
    return {"ballots": ballots + channels["paper"], "invalid": invalid, "counts": counts}


def board_of(ballot: Ballot) -> dict:
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    shape = shape_of(ballot)
    tally = db.session.get(EncryptedTally, ballot.id)
    rejected = db.session.execute(select(RejectedCast.tracker, RejectedCast.reason, RejectedCast.encrypted)
                                  .where(RejectedCast.ballot_id == ballot.id).order_by(RejectedCast.tracker))
    return {
        "format": FORMAT,
        "group": "ristretto255",
        "ballot": {"id": str(ballot.id), "title": ballot.title, "kind": ballot.kind, "seats": ballot.seats,
                   "items": [{"id": str(item.id), "title": item.title} for item in ballot.items],
                   "options": list(shape.options), "encoding": shape.encoding_json(),
                   "ballot_options": ballot.options, "rule": ballot.rule, "total": ballot.total or 0,
                   "issued": ballot.issued or 0, "state": ballot.state},
        "tellers": {"meeting_id": str(ballot.meeting_id), "threshold": ceremony.threshold, "size": ceremony.size,
                    "joint_key": ballot.teller_key.hex(),
                    "members": [{"position": seat.position, "name": seat.user.display_name or seat.user.username,
                                 "commitments": seat.commitments,
                                 "knowledge_proof": json.loads(seat.knowledge_proof_json)}
                                for seat in ceremony.seats]},
        "casts": [{"tracker": tracker, "origin": origin, "encrypted": encrypted}
                  for tracker, origin, encrypted in encrypted_casts(ballot.id)],
        "rejected": sorted([{"tracker": tracker, "reason": reason, "encrypted": json.loads(raw),
                             "after_acceptance": False} for tracker, reason, raw in rejected]
                           + [{"tracker": tracker, "reason": reason, "encrypted": encrypted, "after_acceptance": True}
                              for tracker, reason, encrypted in failed_casts(ballot.id)],
                           key=lambda entry: entry["tracker"]),
        "sums": json.loads(tally.sums_json) if tally else None,
        "accepted": tally.accepted if tally else None,
        "decryptions": [{"position": position, "shares": shares}
                        for position, shares in sorted(stored_shares(ballot.id).items())],
        "paper": paper_totals(ballot),
        "result": stored_sheet(ballot),
    }


def published_ballot(bid) -> Ballot:
    """A published ballot under tellers, for anyone; 404 / 409 otherwise."""
    number = id_from(bid)
    ballot = db.session.get(Ballot, number) if number is not None else None
    if ballot is None:
        raise not_found("表决")
    if ballot.state != BallotState.published.value:
        raise Refusal(409, "results_not_available", "表决结果公布后才能查看公开核验板。")
    if not ballot.with_tellers:
        raise Refusal(409, "no_tellers", "本项表决未使用监票人密钥（按安装密钥计票），没有公开核验板。")
    return ballot


def public_board(bid: str) -> dict:
    """The board of a published ballot under tellers, for anyone."""
    return board_of(published_ballot(bid))


def board_summary(ballot: Ballot) -> dict:
    """What the board page shows (the trackers, not the casts: 3,000 casts are 120 MB)."""
    ceremony = ceremonies.ceremony_of(ballot.meeting)
    trackers = sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == ballot.id,
                                                                          CastBallot.proof_check == checking.VALID)))
    rejected, _failed = rejected_trackers(ballot.id)
    return {"trackers": trackers, "rejected": rejected, "options": list(shape_of(ballot).options),
            "result": stored_sheet(ballot), "paper": paper_totals(ballot), "threshold": ceremony.threshold,
            "size": ceremony.size, "decrypted_by": sorted(stored_shares(ballot.id)),
            "joint_key": ballot.teller_key.hex()}


def boards_check(ballot_id, echo) -> list[str]:
    """`flask verify`: the independent verifier (voting.verifier) on the board of every
    ballot under tellers whose count is made."""
    from voting import verifier

    query = select(Ballot).where(Ballot.teller_key.is_not(None), Ballot.awaiting_tellers.is_(False),
                                 Ballot.state.in_((BallotState.closed.value, BallotState.published.value)))
    number = id_from(ballot_id) if ballot_id is not None else None
    if ballot_id is not None:
        query = query.where(Ballot.id == (number if number is not None else -1))
    problems = []
    checked = 0
    for ballot in db.session.scalars(query.order_by(Ballot.id)):
        checked += 1
        try:
            found = verifier.verify(board_of(ballot))
        except (ValueError, KeyError, TypeError) as error:
            found = [f"核验板无法生成：{error}"]
        echo(f"表决 {ballot.id}「{ballot.title}」: 公开核验板 {'通过' if not found else '不符'}")
        problems.extend(f"表决 {ballot.id} 的公开核验板：{problem}" for problem in found)
    echo(f"公开核验板: 已核验 {checked} 项")
    return problems
