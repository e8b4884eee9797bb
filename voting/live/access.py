"""Who may watch a meeting live: its deputies, staff who may read it, or a hall
screen holding the meeting's screen token."""
from flask import request, session
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

from voting.inputlimits import id_from
from voting.accounts.permissions import READ_MEETINGS, current_principal, ensure_readable, has_permission
from voting.errors import Refusal
from voting.extensions import db
from voting.live.screen import screen_token_matches
from voting.meetings.models import Meeting

CARD_VERSION_KEY = "card_version"


def remember_card(deputy) -> None:
    """Called when a card logs a tablet in: the cookie session is tied to that card."""
    session[CARD_VERSION_KEY] = deputy.card_version


def card_session_valid(deputy) -> bool:
    """A reissued card ends the tablet sessions opened with the old one. Bearer tokens
    are revoked by the reissue itself; a cookie session remembers its card version."""
    if request.headers.get("Authorization", "").startswith("Bearer "):
        return True
    return session.get(CARD_VERSION_KEY) == deputy.card_version


def meeting_id_of(value: str) -> int:
    found = id_from(value)
    if found is None:
        raise NotFound()
    return found


def live_meeting(mid: str, *, screen_token: str | None = None) -> Meeting:
    """The meeting, if the caller may watch it. A screen token is checked first; a
    wrong one is 401 whether or not the meeting exists."""
    if screen_token is not None:
        meeting = db.session.get(Meeting, id_from(mid)) if id_from(mid) is not None else None
        if not screen_token_matches(meeting, screen_token):
            raise Refusal(401, "invalid_screen_token", "大屏令牌无效或已更换，请向大会秘书处索取新的大屏地址。")
        return meeting
    principal = current_principal()
    if principal is None:
        raise Unauthorized()
    if principal.is_deputy and (not principal.is_active or not card_session_valid(principal)):
        raise Refusal(401, "card_revoked", "登录卡已作废或会议已结束，请重新扫描登录卡。")
    meeting = db.session.get(Meeting, meeting_id_of(mid))
    if meeting is None:
        raise NotFound()
    if principal.is_deputy:
        if principal.meeting_id != meeting.id:
            raise NotFound()
    elif not has_permission(principal, READ_MEETINGS):
        raise Forbidden()
    else:
        ensure_readable(principal, meeting.body_id)
    return meeting
