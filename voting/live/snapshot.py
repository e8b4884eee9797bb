"""What tablets, screens and consoles are told about a meeting while it sits.

`fingerprint` is one cheap query that changes whenever anything shown changes:
attendance (absences too), ballots created or moved on, timers run out (states only move forward, so the sum of
their ranks grows), votes cast and deputies who voted. `build_snapshot` reads the
payload itself. Counts of choices are never part of it: they belong to the tally
sheet after close (and to the hall screen's own page when the meeting chose live
counts).
"""
import hashlib

from sqlalchemy import case, func, select

from voting.ballots.models import Ballot, BallotState, CastBallot, Participation
from voting.extensions import db
from voting.meetings.models import Absence, Attendance, Deputy, Meeting
from voting.meetings.attendance import day_figures

STATE_RANK = case({"draft": 1, "open": 2, "closed": 3, "published": 4}, value=Ballot.state, else_=0)


def fingerprint(meeting_id: int) -> tuple | None:
    """A tuple that differs whenever the snapshot would; None for an unknown meeting."""
    of_meeting = Ballot.meeting_id == meeting_id
    statement = select(
        Meeting.name,
        Meeting.closed_at,
        Meeting.quorum_fraction,
        Meeting.quorum_inclusive,
        Meeting.results_shown,  # the hall screen shows or hides a closed result when it changes
        select(func.count(Deputy.id)).where(Deputy.meeting_id == meeting_id).scalar_subquery(),
        select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting_id).scalar_subquery(),
        select(func.count(Absence.id)).where(Absence.meeting_id == meeting_id).scalar_subquery(),
        select(func.count(Ballot.id)).where(of_meeting, Ballot.timer_expired_at.is_not(None)).scalar_subquery(),
        select(func.count(Ballot.id)).where(of_meeting).scalar_subquery(),
        select(func.coalesce(func.sum(STATE_RANK), 0)).where(of_meeting).scalar_subquery(),
        select(func.count()).select_from(CastBallot).join(Ballot, Ballot.id == CastBallot.ballot_id)
        .where(of_meeting).scalar_subquery(),
        select(func.count()).select_from(Participation).join(Ballot, Ballot.id == Participation.ballot_id)
        .where(of_meeting).scalar_subquery(),
        # last: the earliest deadline still to act on (the hub sweeps timers when it passes)
        select(func.min(Ballot.deadline)).where(of_meeting, Ballot.state == BallotState.open.value,
                                                Ballot.timer_expired_at.is_(None)).scalar_subquery(),
    ).where(Meeting.id == meeting_id)
    row = db.session.execute(statement).first()
    return tuple(row) if row is not None else None


def _iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def version_of(fingerprint_row: tuple) -> str:
    """The same state gives the same version in every process (a client may reconnect
    to another worker and compare)."""
    return hashlib.sha256(repr(fingerprint_row).encode("utf-8")).hexdigest()[:16]


def build_snapshot(meeting_id: int) -> dict | None:
    """The payload of GET /api/v1/meetings/<mid>/live and of each SSE event. The
    fingerprint is read first, so the data is never older than its version."""
    row = fingerprint(meeting_id)
    if row is None:
        return None
    meeting = db.session.get(Meeting, meeting_id)
    ballots = list(db.session.scalars(
        select(Ballot).where(Ballot.meeting_id == meeting_id, Ballot.state != BallotState.draft.value)
        .order_by(Ballot.id)))
    cast = dict(db.session.execute(
        select(CastBallot.ballot_id, func.count()).join(Ballot, Ballot.id == CastBallot.ballot_id)
        .where(Ballot.meeting_id == meeting_id).group_by(CastBallot.ballot_id)).all())
    return {
        "version": version_of(row),
        "meeting": {"id": str(meeting.id), "name": meeting.name, "closed": meeting.closed_at is not None},
        **day_figures(meeting),
        "timer_expiry": meeting.timer_expiry,
        "ballots": [{"id": str(b.id), "title": b.title, "kind": b.kind, "state": b.state, "round": b.round,
                     "issued": b.issued or 0, "cast": cast.get(b.id, 0), "rehearsal": bool(b.rehearsal),
                     "secret": bool(b.secret), "deadline": _iso(b.deadline),
                     "timer_expired": b.timer_expired_at is not None} for b in ballots],
    }
