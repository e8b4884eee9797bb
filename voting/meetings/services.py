"""Meeting operations: cards and check-in."""
import hashlib

from sqlalchemy import select

from voting.extensions import db
from voting.meetings.models import Deputy


def card_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def deputy_for_card(secret: str, source: str = "") -> Deputy | None:
    """The deputy whose current card this is; None for an unknown or revoked card."""
    if not secret:
        return None
    return db.session.execute(select(Deputy).filter_by(card_hash=card_hash(secret))).scalar_one_or_none()
