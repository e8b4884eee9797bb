"""Printing QR login cards: (re)issuing a batch of cards in one transaction, the
one-tap URL each card encodes, and the QR code as inline SVG for the print page."""
from datetime import datetime

from sqlalchemy import select, update

from voting.accounts.models import ApiToken, utcnow
from voting.qr import absolute_url, qr_svg
from voting.extensions import db
from voting.integrity import audit
from voting.errors import Refusal
from voting.meetings.models import Deputy, Meeting
from voting.meetings.services import card_hash, new_card_secret

CARDS_PER_PAGE = 8


def card_url(secret: str) -> str:
    """The absolute one-tap login URL: PUBLIC_BASE_URL (the hall LAN address) when set,
    else the host the console is using."""
    return absolute_url("meetings.card_login", secret=secret)


def reissue_cards(meeting: Meeting, deputy_ids: list[int] | None = None, *, actor: str = "",
                  now: datetime | None = None) -> list[tuple[Deputy, str]]:
    """Issue a new card to each deputy of the meeting (or to `deputy_ids`), in one
    transaction: every previous card and every token obtained with one stops working.
    Returns (deputy, secret) pairs in roster order; the secrets exist only here."""
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束，不能再发放登录卡。")
    query = select(Deputy).where(Deputy.meeting_id == meeting.id)
    if deputy_ids is not None:
        query = query.where(Deputy.id.in_(deputy_ids))
    deputies = list(db.session.scalars(query.order_by(Deputy.number, Deputy.id)))
    if deputy_ids is not None and len(deputies) != len(set(deputy_ids)):
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    if not deputies:
        raise Refusal(409, "invalid_transition", "名单为空，请先导入代表名单。")
    now = now or utcnow()
    issued = []
    for deputy in deputies:
        secret = new_card_secret()
        deputy.card_hash = card_hash(secret)
        deputy.card_issued_at = now
        deputy.card_version = (deputy.card_version or 0) + 1
        issued.append((deputy, secret))
    revoked = db.session.execute(
        update(ApiToken).where(ApiToken.deputy_id.in_([d.id for d in deputies]), ApiToken.revoked.is_(False))
        .values(revoked=True).execution_options(synchronize_session=False)).rowcount
    audit.record("cards_reissued", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id,
                 details={"cards": len(issued), "tokens_revoked": revoked or 0,
                          "deputies": [d.id for d in deputies] if deputy_ids is not None else "all"})
    db.session.commit()
    return issued


def card_pages(issued: list[tuple[Deputy, str]], per_page: int = CARDS_PER_PAGE) -> list[list[dict]]:
    """The print page's cards, grouped into A4 pages."""
    cards = [{"deputy": deputy, "url": card_url(secret), "qr": qr_svg(card_url(secret))}
             for deputy, secret in issued]
    return [cards[i:i + per_page] for i in range(0, len(cards), per_page)]
