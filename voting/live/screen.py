"""The hall screen's token (大屏令牌): it opens /screen/<meeting> without a login.

Only its HMAC under instance/mac.key is stored (Meeting.screen_token_hash); the token itself is shown
once to the secretariat, who may rotate it at any time (the old one stops working
at the screen's next reconnect, within a minute).
"""
import hmac
import secrets

from voting.extensions import db
from voting.integrity import audit
from voting.errors import Refusal
from voting.meetings.models import Meeting

MAX_TOKEN_LENGTH = 200


def _digest(token: str) -> str:
    from voting.integrity.keys import credential_hash

    return credential_hash("screen", token)


def rotate_screen_token(meeting: Meeting, *, actor: str = "") -> str:
    """Create (or replace) the meeting's screen token and return it, shown once."""
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束，不能再生成大屏令牌。")
    replaced = meeting.screen_token_hash is not None
    token = secrets.token_urlsafe(18)
    meeting.screen_token_hash = _digest(token)
    audit.record("screen_token_rotated" if replaced else "screen_token_created", actor=actor,
                 subject=f"meeting:{meeting.id}", body_id=meeting.body_id)
    db.session.commit()
    return token


def revoke_screen_token(meeting: Meeting, *, actor: str = "") -> None:
    if meeting.screen_token_hash is None:
        return
    meeting.screen_token_hash = None
    audit.record("screen_token_revoked", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id)
    db.session.commit()


def screen_token_matches(meeting: Meeting | None, token: str | None) -> bool:
    if meeting is None or not meeting.screen_token_hash or not token or len(token) > MAX_TOKEN_LENGTH:
        return False
    return hmac.compare_digest(meeting.screen_token_hash, _digest(token))
