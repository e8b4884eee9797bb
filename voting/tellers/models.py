"""The tellers' key ceremony, their decryption shares and rejected casts.

The server stores public parts only: transport keys, Feldman commitments, proofs of
knowledge, shares sealed to their recipients, and decryption shares with proofs.
No row holds a share of the key (tests/tellers assert it)."""
import json

from voting.accounts.models import utcnow
from voting.extensions import db

WITHOUT_ROWID = {"sqlite_with_rowid": False}


class TellerCeremony(db.Model):
    """A meeting's tellers: k of n must take part to count; the joint key once made."""

    meeting_id = db.Column(db.Integer, db.ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True)
    threshold = db.Column(db.Integer, nullable=False)
    size = db.Column(db.Integer, nullable=False)
    joint_key = db.Column(db.LargeBinary, nullable=True)  # set when every teller has confirmed
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    completed_at = db.Column(db.DateTime, nullable=True)

    seats = db.relationship("TellerSeat", order_by="TellerSeat.position", cascade="all, delete-orphan")

    __table_args__ = (db.CheckConstraint("threshold >= 1 AND threshold <= size", name="threshold"),)


class TellerSeat(db.Model):
    """Teller number `position` (1..n) of a meeting and what its device has published."""

    meeting_id = db.Column(db.Integer, db.ForeignKey("teller_ceremony.meeting_id", ondelete="CASCADE"),
                           primary_key=True)
    position = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("user.id"), nullable=False)
    transport_key = db.Column(db.String(64), nullable=True)  # hex point: shares are sealed to it
    commitments_json = db.Column(db.Text, nullable=True)  # [hex point] x k
    knowledge_proof_json = db.Column(db.Text, nullable=True)  # [c, v] for the first commitment
    dealt_json = db.Column(db.Text, nullable=True)  # {"<to position>": sealed hex}
    confirmed = db.Column(db.Boolean, nullable=False, default=False)  # its received shares matched

    user = db.relationship("User")

    __table_args__ = (db.UniqueConstraint("meeting_id", "user_id"),)

    @property
    def commitments(self) -> list[str] | None:
        return json.loads(self.commitments_json) if self.commitments_json else None

    @property
    def dealt(self) -> dict | None:
        return json.loads(self.dealt_json) if self.dealt_json else None


class EncryptedTally(db.Model):
    """A closed ballot's encrypted sums (per item, per option), waiting for k tellers."""

    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), primary_key=True)
    sums_json = db.Column(db.Text, nullable=False)
    accepted = db.Column(db.Integer, nullable=False)  # how many casts the sums hold


class DecryptionShare(db.Model):
    """One teller's proved partial decryption of every sum of a ballot."""

    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), primary_key=True)
    position = db.Column(db.Integer, primary_key=True)
    shares_json = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)


class RejectedCast(db.Model):
    """An encrypted cast whose proofs failed: never counted, shown on the board with its
    tracker and the reason. No deputy, no time: the deputy was refused and may vote again."""

    id = db.Column(db.String(32), primary_key=True)  # 16 random bytes, hex
    ballot_id = db.Column(db.Integer, db.ForeignKey("ballot.id"), nullable=False, index=True)
    tracker = db.Column(db.String(19), nullable=False)
    encrypted = db.Column(db.LargeBinary, nullable=False)
    reason = db.Column(db.String(200), nullable=False)

    __table_args__ = (WITHOUT_ROWID,)
