"""The receipt check (回执核对): after publish anyone may ask whether a receipt code is
in a ballot's published list of trackers (the list API.md's /receipts gives to
signed-in users). It says yes or no, and nothing about any choice; before publish it
says the results are not yet published. A rehearsal is never published, so never checked."""
import re

from sqlalchemy import select

from voting.ballots.models import Ballot, BallotState, CastBallot
from voting.errors import Refusal
from voting.extensions import db

RECEIPT_CODE = re.compile(r"^[A-Z2-7]{4}(-[A-Z2-7]{4}){3}$")


def normalized_code(text) -> str:
    """A code as typed or scanned: spaces dropped, upper case, dashes put back in place."""
    if not isinstance(text, str):
        return ""
    plain = re.sub(r"[\s-]+", "", text).upper()[:32]
    return "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))


def _checked_code(text) -> str:
    code = normalized_code(text)
    if not RECEIPT_CODE.match(code):
        raise Refusal(400, "bad_receipt_code", "回执码格式不正确：应为16位字母和数字，每4位一组，例如 ABCD-EFGH-2345-6723。")
    return code


def check(ballot_id: int, text) -> dict:
    """{"ballot", "title", "code", "found", "receipts"} for a published ballot; 404 for an
    unknown ballot, 409 results_not_available before publish, 400 bad_receipt_code."""
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise Refusal(404, "not_found", "未找到该表决。")
    if ballot.state != BallotState.published.value or ballot.rehearsal:
        raise Refusal(409, "results_not_available", "表决结果尚未公布，公布后才能核对回执。")
    code = _checked_code(text)
    found = db.session.scalar(select(CastBallot.id).where(CastBallot.ballot_id == ballot.id,
                                                          CastBallot.tracker == code)) is not None
    count = db.session.scalar(select(db.func.count()).select_from(CastBallot)
                              .where(CastBallot.ballot_id == ballot.id))
    return {"ballot": str(ballot.id), "title": ballot.title, "code": code, "found": found, "receipts": count or 0}


def find_anywhere(text) -> list[Ballot]:
    """The published ballots whose list holds this code (a code typed without its ballot)."""
    code = _checked_code(text)
    return list(db.session.scalars(
        select(Ballot).join(CastBallot, CastBallot.ballot_id == Ballot.id)
        .where(CastBallot.tracker == code, Ballot.state == BallotState.published.value,
               Ballot.rehearsal.is_(False)).order_by(Ballot.id)))
