"""Officials' ranking from the signed sheets, and deputies' anonymous comments."""
import secrets
from dataclasses import dataclass

from sqlalchemy import select

from voting.errors import Refusal, invalid
from voting.extensions import db
from voting.meetings.models import Deputy
from voting.appraisals.models import AppraisalCampaign, AppraisalComment, AppraisalItem
from voting.appraisals.campaigns import MAX_COMMENT, _clean
from voting.appraisals.rounds import _entries_by_reference, display_score, sheet_of


@dataclass
class RankRow:
    item: AppraisalItem
    entry: dict | None

    @property
    def rank(self):
        return self.entry.get("rank") if self.entry else None

    @property
    def score(self) -> str:
        return display_score(self.entry.get("score")) if self.entry else "—"

    @property
    def grade(self) -> str:
        return (self.entry.get("grade") or "—") if self.entry else "—"

    @property
    def counts(self) -> dict:
        return self.entry["counts"] if self.entry else {}


def ranking(campaign: AppraisalCampaign) -> list[RankRow]:
    """Officials of round 1 by the sheet's competition rank (equal scores share a
    rank); those without a score come last, by position."""
    ballot = campaign.ballot
    sheet = sheet_of(ballot) if ballot is not None else None
    entries = _entries_by_reference(ballot, sheet) if ballot is not None else {}
    rows = [RankRow(item, (entries.get(item.reference) or (None, None))[1])
            for item in campaign.items if item.kind == "official"]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.item.position))


def comment_targets(deputy: Deputy) -> list[AppraisalCampaign]:
    """Campaigns voted in the deputy's meeting that have officials to comment on."""
    campaigns = db.session.scalars(select(AppraisalCampaign).where(
        AppraisalCampaign.meeting_id == deputy.meeting_id).order_by(AppraisalCampaign.id))
    return [c for c in campaigns if any(i.kind == "official" for i in c.items)]


def add_comments(deputy: Deputy, campaign: AppraisalCampaign, texts: dict) -> int:
    """Anonymous comments: {item_id: text}; empty texts are skipped. Nothing that
    names the deputy, nor the time, is stored or audited."""
    if campaign.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "未找到该测评。")
    items = {str(item.id): item for item in campaign.items if item.kind == "official"}
    errors, chosen = {}, []
    for key, raw in texts.items():
        text, problem = _clean(raw, "意见", MAX_COMMENT, required=False)
        if problem:
            errors[key] = problem
        elif text:
            if key not in items:
                raise Refusal(404, "not_found", "未找到该测评对象。")
            chosen.append((items[key], text))
    if errors:
        raise invalid(errors, "invalid_comment")
    if not chosen:
        raise invalid({"text": "请至少填写一条意见。"}, "invalid_comment")
    for item, text in chosen:
        db.session.add(AppraisalComment(id=secrets.token_hex(16), item_id=item.id, body_id=item.body_id, text=text))
    db.session.commit()
    return len(chosen)


def comments_of(item: AppraisalItem) -> list[str]:
    """Texts in an order that says nothing about when they came: sorted by text."""
    return sorted(db.session.scalars(select(AppraisalComment.text).where(AppraisalComment.item_id == item.id)))
