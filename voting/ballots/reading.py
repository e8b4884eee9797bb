"""Reading ballots: what a meeting, a deputy or a sheet shows. No writes."""
import json
from dataclasses import dataclass

from sqlalchemy import exists, func, select

from voting.ballots.models import (
    Ballot, BallotItem, BallotState, BallotVoter, CastBallot, NamedVote, PaperCount, Participation, TallySheet,
)
from voting.extensions import db
from voting.errors import Refusal
from voting.meetings.models import Attendance, Deputy, Meeting


def get_ballot(ballot_id: int) -> Ballot | None:
    return db.session.get(Ballot, ballot_id)


def ballots_of_meeting(meeting: Meeting) -> list[Ballot]:
    return list(db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting.id).order_by(Ballot.id)))


def ballots_for_deputy(deputy: Deputy) -> list[Ballot]:
    """What a deputy may see: open ballots issued to it, and published ones."""
    eligible = exists().where(BallotVoter.ballot_id == Ballot.id, BallotVoter.deputy_id == deputy.id)
    return list(db.session.scalars(
        select(Ballot).where(
            Ballot.meeting_id == deputy.meeting_id,
            ((Ballot.state == BallotState.open.value) & eligible) | (Ballot.state == BallotState.published.value),
        ).order_by(Ballot.id)))


def is_eligible(ballot: Ballot, deputy: Deputy) -> bool:
    """Whether the ballot was issued to the deputy (present when it opened)."""
    return db.session.get(BallotVoter, (ballot.id, deputy.id)) is not None


@dataclass(frozen=True)
class VoterStanding:
    """A deputy and one ballot, as a cast needs them, read in one query."""

    issued: bool  # the ballot was issued to the deputy (present when it opened): is_eligible
    channel: str | None  # how the deputy has voted ("tablet", "paper"), None if not yet
    present: bool  # checked in and in the hall now (meetings.attendance.is_present)


def voter_standing(ballot: Ballot, deputy: Deputy) -> VoterStanding:
    issued = exists().where(BallotVoter.ballot_id == ballot.id, BallotVoter.deputy_id == deputy.id)
    channel = select(Participation.channel).where(Participation.ballot_id == ballot.id,
                                                  Participation.deputy_id == deputy.id).scalar_subquery()
    present = exists().where(Attendance.meeting_id == deputy.meeting_id, Attendance.deputy_id == deputy.id)
    row = db.session.execute(select(issued, channel, present)).one()
    return VoterStanding(issued=bool(row[0]), channel=row[1], present=bool(row[2]))


def has_voted(ballot: Ballot, deputy: Deputy) -> bool:
    return db.session.get(Participation, (ballot.id, deputy.id)) is not None


def progress(ballot: Ballot) -> dict:
    """{"issued", "cast"} (+ "voted": deputies who voted or took a paper ballot).
    `cast` is every ballot received, as the tally sheet counts it: tablet and single
    paper entries, plus paper ballots entered as counted batches."""
    cast = db.session.scalar(select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == ballot.id))
    cast = (cast or 0) + (db.session.scalar(select(func.sum(PaperCount.ballots))
                                            .where(PaperCount.ballot_id == ballot.id)) or 0)
    voted = db.session.scalar(select(func.count()).select_from(Participation)
                              .where(Participation.ballot_id == ballot.id))
    return {"issued": ballot.issued or 0, "cast": cast or 0, "voted": voted or 0}


def deputies_not_voted(ballot: Ballot) -> list[Deputy]:
    """Deputies the ballot was issued to who have neither voted nor taken a paper ballot."""
    voted = exists().where(Participation.ballot_id == ballot.id, Participation.deputy_id == Deputy.id)
    return list(db.session.scalars(
        select(Deputy).join(BallotVoter, BallotVoter.deputy_id == Deputy.id)
        .where(BallotVoter.ballot_id == ballot.id, ~voted).order_by(Deputy.number, Deputy.id)))


def stored_sheet(ballot: Ballot) -> dict | None:
    row = db.session.scalar(select(TallySheet).where(TallySheet.ballot_id == ballot.id))
    return row.sheet if row else None


def tally_for(ballot: Ballot) -> dict:
    """The signed tally sheet; 409 results_not_available while draft or open."""
    if not ballot.results_available:
        raise Refusal(409, "results_not_available", "表决尚未结束，暂无结果。")
    sheet = stored_sheet(ballot)
    if sheet is None:  # a closed ballot always has its sheet; be explicit if not
        raise Refusal(409, "results_not_available", "计票单尚未生成。")
    return sheet


def receipts_for(ballot: Ballot) -> list[str]:
    """Every tracker code of the ballot, sorted; only after publish."""
    if ballot.state != BallotState.published.value:
        raise Refusal(409, "results_not_available", "表决结果公布后才能查询回执。")
    return sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == ballot.id)))


def named_votes(ballot: Ballot) -> list[tuple[Deputy, dict]]:
    """Who chose what on a named (记名) ballot, after close; empty for a secret one."""
    if ballot.secret or not ballot.results_available:
        return []
    rows = db.session.execute(select(Deputy, NamedVote.choices).join(NamedVote, NamedVote.deputy_id == Deputy.id)
                              .where(NamedVote.ballot_id == ballot.id).order_by(Deputy.number))
    return [(deputy, json.loads(choices)) for deputy, choices in rows]


def first_round_item(item: BallotItem) -> BallotItem:
    """The round-1 item a runoff or re-appraisal item continues (source_item_id, followed
    back; the item itself in round 1)."""
    return _first_of_chain(item, BallotItem, "source_item_id")


def first_round_ballot(ballot: Ballot) -> Ballot:
    """The round-1 ballot of a chain of rounds (parent_id followed back)."""
    return _first_of_chain(ballot, Ballot, "parent_id")


def _first_of_chain(record, model, link: str):
    """The one walk of a chain of rounds: follow `link` (the id of the record of the
    round before) back to round 1; a missing row or a loop ends the walk."""
    seen = {record.id}
    while getattr(record, link) is not None and getattr(record, link) not in seen:
        parent = db.session.get(model, getattr(record, link))
        if parent is None:
            break
        seen.add(parent.id)
        record = parent
    return record
