"""The meeting's display policy (结果显示方式): a ballot's result reaches the hall
screen, the tablets and the public /verify page at close, or only after 公布
(Ballot.results_shown reads it)."""
from voting.errors import Refusal
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import RESULTS_AT_CLOSE, RESULTS_SHOWN_LABELS, Meeting


def checked_results_shown(value) -> str:
    """The display policy from a form or JSON; None or "" keeps the default (at close)."""
    if value is None or value == "":
        return RESULTS_AT_CLOSE
    if value not in RESULTS_SHOWN_LABELS:
        raise Refusal(400, "bad_request", "结果显示方式应为 close（表决结束即显示）或 publish（公布后才显示）。")
    return value


def set_results_shown(meeting: Meeting, value, *, actor: str = "") -> Meeting:
    """Change when results are shown (hall screen, tablets, /verify); audited."""
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束，不能再修改结果显示方式。")
    policy = checked_results_shown(value)
    if policy != meeting.results_shown:
        meeting.results_shown = policy
        audit.record("meeting_results_shown_set", actor=actor, subject=f"meeting:{meeting.id}",
                     body_id=meeting.body_id, details={"results_shown": policy})
    db.session.commit()
    return meeting
