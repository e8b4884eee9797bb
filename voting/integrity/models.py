"""The append-only audit log (审计日志)."""
from voting.extensions import db


class AuditEntry(db.Model):
    """One state change. `entry_hash` = SHA-256 over the previous entry's hash and this
    entry's canonical content, so a changed or removed entry breaks the chain.
    Never holds a vote's choices or anything that links a deputy to a cast ballot."""

    id = db.Column(db.Integer, primary_key=True)
    body_id = db.Column(db.Integer, db.ForeignKey("body.id"), nullable=True, index=True)
    at = db.Column(db.String(32), nullable=False)
    actor = db.Column(db.String(120), nullable=False, default="")
    action = db.Column(db.String(64), nullable=False)
    subject = db.Column(db.String(120), nullable=False, default="")
    details = db.Column(db.Text, nullable=False, default="{}")
    prev_hash = db.Column(db.String(64), nullable=False)
    entry_hash = db.Column(db.String(64), nullable=False, unique=True)
    # HMAC-SHA256 of entry_hash under instance/mac.key (keys.mac, domain voting-audit-v1):
    # a database writer can recompute the SHA-256 chain, not this.
    mac = db.Column(db.String(64), nullable=True)
