"""The ballot timer: a preset voting time (duration_seconds) whose deadline is set at
open. At zero the ballot closes by itself, or the secretariat is asked to close it, as
the meeting chose (Meeting.timer_expiry: "close" or "ask").

Nothing here reads a clock it was not given: `sweep_timers(now)` acts on every ballot
whose deadline is at or before `now`. It is driven by events, never by a sleeping
thread of its own: the live hub's polling round (while any tablet, screen or console
watches the meeting), GET /live, a vote, the console's pages and `flask sweep-timers`
call it with `clock()`, the app's clock (config VOTING_CLOCK, a callable, lets tests
move time)."""
from datetime import datetime

from sqlalchemy import select

from voting.ballots.lifecycle import check_before_close, close_ballot, lock_ballot
from voting.ballots.models import Ballot, BallotState
from voting.clock import clock  # noqa: F401  (the clock callers pass in)
from voting.database import write_intent
from voting.errors import Refusal
from voting.extensions import db
from voting.integrity import audit

TIMER_ACTOR = "system:timer"
EXPIRY_CHOICES = {"close": "时间到自动结束表决", "ask": "时间到提示秘书处结束表决"}


def remaining_seconds(ballot: Ballot, now: datetime) -> int | None:
    """Whole seconds left on an open timed ballot (0 once run out); None without a timer."""
    if ballot.deadline is None or ballot.state != BallotState.open.value:
        return None
    return max(0, int((ballot.deadline - now).total_seconds()))


def due_ballot_ids(now: datetime, meeting_ids=None) -> list[int]:
    """Open ballots whose time ran out and that the sweep has not acted on yet."""
    query = select(Ballot.id).where(Ballot.state == BallotState.open.value, Ballot.deadline.is_not(None),
                                    Ballot.deadline <= now, Ballot.timer_expired_at.is_(None))
    if meeting_ids is not None:
        query = query.where(Ballot.meeting_id.in_(list(meeting_ids)))
    return list(db.session.scalars(query.order_by(Ballot.id)))


def sweep_timers(now: datetime, meeting_ids=None) -> list[tuple[int, str]]:
    """Act on every ballot whose time ran out by `now`: close it ("closed") or flag it
    for the secretariat ("asked"), audited as ballot_timer_expired. One commit per
    ballot. Returns [(ballot id, what was done)]. Safe to run in several processes at
    once: the ballot row is locked and a ballot already acted on is skipped."""
    due = due_ballot_ids(now, meeting_ids)
    if not due:
        return []
    db.session.commit()  # end the read transaction; each ballot gets its own write transaction
    token = write_intent.set(True)
    done = []
    try:
        for ballot_id in due:
            outcome = _expire(ballot_id, now)
            if outcome:
                done.append((ballot_id, outcome))
    finally:
        write_intent.reset(token)
    return done


def _expire(ballot_id: int, now: datetime) -> str | None:
    check_before_close(ballot_id)
    ballot = lock_ballot(ballot_id, for_update=True)
    if ballot.state != BallotState.open.value or ballot.timer_expired_at is not None \
            or ballot.deadline is None or ballot.deadline > now:
        db.session.rollback()  # another process acted first
        return None
    action = "closed" if ballot.meeting.timer_expiry == "close" else "asked"
    ballot.timer_expired_at = now
    audit.record("ballot_timer_expired", actor=TIMER_ACTOR, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"deadline": ballot.deadline.isoformat(timespec="seconds") + "Z", "action": action})
    if action == "asked":
        db.session.commit()
        return action
    try:
        close_ballot(ballot, actor=TIMER_ACTOR, now=now)  # commits the expiry with the close
    except Refusal:
        db.session.rollback()
        return None
    return action


def set_timer_expiry(meeting, choice: str, *, actor: str = "") -> None:
    """The meeting's choice of what a timed ballot does at zero."""
    if choice not in EXPIRY_CHOICES:
        raise Refusal(400, "bad_request", "时间到时的处理方式只能是 close（自动结束）或 ask（提示秘书处）。")
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束。")
    meeting.timer_expiry = choice
    audit.record("meeting_timer_expiry_set", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id,
                 details={"timer_expiry": choice})
    db.session.commit()
