"""Meetings (会议), their deputies (代表) and attendance (签到)."""

from flask_login import UserMixin

from voting.accounts.models import utcnow
from voting.extensions import db

# The meeting's display policy (结果显示方式): when the hall screen, tablets and the public
# /verify page show a ballot's result.
RESULTS_AT_CLOSE = "close"
RESULTS_AFTER_PUBLISH = "publish"
RESULTS_SHOWN_LABELS = {RESULTS_AT_CLOSE: "表决结束即显示结果", RESULTS_AFTER_PUBLISH: "结果公布后才显示"}


class Meeting(db.Model):
    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    name = db.Column(db.String(200), nullable=False)
    year = db.Column(db.Integer, nullable=True)
    # Quorum rule as a fraction string ("2/3") and whether reaching it exactly suffices.
    quorum_fraction = db.Column(db.String(16), nullable=False, default="2/3")
    quorum_inclusive = db.Column(db.Boolean, nullable=False, default=True)
    # Whether the hall screen may show running counts while a ballot is open.
    live_counts = db.Column(db.Boolean, nullable=False, default=False)
    # RESULTS_AT_CLOSE or RESULTS_AFTER_PUBLISH (checked by meetings.services; no CHECK
    # constraint, which SQLite could add only by rebuilding a table others point at).
    results_shown = db.Column(db.String(16), nullable=False, default=RESULTS_AT_CLOSE, server_default=RESULTS_AT_CLOSE)
    # What a timed ballot does at zero: "close" (closes by itself) or "ask" (the console asks).
    timer_expiry = db.Column(db.String(8), nullable=False, default="close", server_default="close")
    # Token that opens the hall screen (大屏) without a login; only its hash is stored.
    screen_token_hash = db.Column(db.String(64), nullable=True)
    closed_at = db.Column(db.DateTime, nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    body = db.relationship("Body")
    deputies = db.relationship("Deputy", back_populates="meeting", order_by="Deputy.id")

    __table_args__ = (db.CheckConstraint("timer_expiry in ('close','ask')", name="timer_expiry"),)

    @property
    def quorum(self) -> dict:
        return {"fraction": self.quorum_fraction, "inclusive": bool(self.quorum_inclusive)}


class Deputy(UserMixin, db.Model):
    """A voter of one meeting. The login card's secret is stored only as a hash;
    reissuing a card replaces the hash, so the old card stops working."""

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=False, index=True)
    name = db.Column(db.String(64), nullable=False)
    delegation = db.Column(db.String(64), nullable=False, default="")
    number = db.Column(db.String(32), nullable=False)
    card_hash = db.Column(db.String(64), nullable=True, unique=True)
    card_issued_at = db.Column(db.DateTime, nullable=True)
    # How many cards were issued; a reissue raises it, so a printed card shows its edition.
    card_version = db.Column(db.Integer, nullable=False, default=0)
    # A paper ballot (纸质选票) is for deputies without a tablet; see the ballots package.
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    meeting = db.relationship("Meeting", back_populates="deputies")

    __table_args__ = (db.UniqueConstraint("meeting_id", "number"),)

    kind = "deputy"
    role = "deputy"

    def get_id(self) -> str:
        return f"d:{self.id}"

    @property
    def is_deputy(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        """A deputy signs in only while its meeting is not closed; this also ends
        every bearer token and session of the deputy when the meeting closes."""
        return self.meeting is not None and self.meeting.closed_at is None

    @property
    def username(self) -> str:
        return self.name


class Attendance(db.Model):
    """A deputy checked in (签到) for a meeting. One row per deputy and meeting."""

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id", ondelete="CASCADE"), nullable=False)
    checked_in_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    by_staff = db.Column(db.Boolean, nullable=False, default=False)

    __table_args__ = (db.UniqueConstraint("meeting_id", "deputy_id"),)


class Absence(db.Model):
    """A deputy away from the hall (not present) for a reason the day records: on leave
    (请假, granted by the secretariat) or left mid-session (中途退场, signed out). One row
    per deputy and meeting at most; checking in again (re-entry) removes it."""

    id = db.Column(db.Integer, primary_key=True)
    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id", ondelete="CASCADE"), nullable=False, index=True)
    deputy_id = db.Column(db.Integer, db.ForeignKey("deputy.id", ondelete="CASCADE"), nullable=False)
    reason = db.Column(db.String(8), nullable=False)
    since = db.Column(db.DateTime, nullable=False, default=utcnow)
    by_staff = db.Column(db.Boolean, nullable=False, default=False)

    __table_args__ = (db.UniqueConstraint("meeting_id", "deputy_id"),
                      db.CheckConstraint("reason in ('leave','left')", name="reason"))
