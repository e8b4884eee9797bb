"""A vote as the hall lives it: before the sealed cast (casting.cast_vote) the ballot's
timer is swept, and the deputy's standing today is checked, so the refusal says what
is true: a paper ballot already taken, or the deputy has left the hall (中途退场)
and must check in again to vote. And what the deputy's tablet is told about a ballot."""
from voting.ballots.casting import cast_vote
from voting.ballots.models import Ballot, Participation
from voting.ballots.reading import VoterStanding
from voting.ballots.timers import clock, sweep_timers
from voting.errors import Refusal
from voting.extensions import db
from voting.meetings.attendance import status_of
from voting.meetings.models import Deputy

PAPER_HOLDER = "您已领取纸质选票，请在纸质选票上填写并投入票箱；领取纸质选票后不能再在平板上投票。"


def paper_holder_refusal() -> Refusal:
    return Refusal(409, "already_voted", PAPER_HOLDER)


def cast_in_hall(ballot: Ballot, deputy: Deputy, choices, idempotency_key, *, encrypted=None) -> tuple[str, bool]:
    """casting.cast_vote, after the timer sweep and with the checks of the day. Refusals
    besides cast_vote's: 409 already_voted with the paper message for a deputy who took a
    paper ballot; 403 deputy_left for a deputy issued the ballot who has left the hall.
    The ballot is swept when its own time has run out (the live hub sweeps the others);
    the day's checks read the rows cast_vote reads anyway (`standing`). `ballot` is the
    one the API read in this request: cast_vote reads it again only after a sweep."""
    now = clock()
    swept = (ballot.state == "open" and ballot.deadline is not None and ballot.deadline <= now
             and ballot.timer_expired_at is None)
    if swept:
        sweep_timers(now, meeting_ids=[ballot.meeting_id])

    def standing(current: Ballot, voter: VoterStanding) -> None:
        if voter.channel == "paper":
            raise paper_holder_refusal()
        if voter.channel is None and current.state == "open" and voter.issued and not voter.present:
            raise Refusal(403, "deputy_left", "您已签退离场，重新签到（扫描登录卡或请秘书处签到）后才能投票。")

    return cast_vote(ballot, deputy, choices, idempotency_key, encrypted=encrypted, standing=standing,
                     fresh=not swept)


def deputy_standing(ballot: Ballot, deputy: Deputy) -> dict:
    """What the deputy's tablet shows for the ballot: how it voted (channel, never a
    choice) and whether it is in the hall now."""
    participation = db.session.get(Participation, (ballot.id, deputy.id))
    return {"voted_channel": participation.channel if participation else None,
            "attendance": status_of(deputy.meeting_id, deputy.id)}
