"""Screening (初审): the staff's decisions on a proposal, its history, lists and statistics."""

from sqlalchemy import func, or_, select

from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting.collection.models import CATEGORIES, STATUS_LABELS, TRANSITIONS, Proposal, ProposalEvent
from voting.extensions import db, one_action
from voting.integrity import audit
from voting.collection.stations import stations_of
from voting.collection.texts import clean_text


def _event(proposal: Proposal, action: str, actor: str, from_status, to_status, note: str = "") -> None:
    db.session.add(ProposalEvent(proposal_id=proposal.id, body_id=proposal.body_id, actor=actor[:64],
                                 action=action, from_status=from_status, to_status=to_status, note=note))


def _audit(proposal: Proposal, action: str, actor: str, **details) -> None:
    audit.record(action, actor=actor, subject=f"proposal:{proposal.id}", body_id=proposal.body_id, details=details)


def _guard(proposal: Proposal, to_status: str) -> None:
    if to_status not in STATUS_LABELS:
        raise invalid({"status": "状态不正确。"}, "invalid_status")
    if to_status not in TRANSITIONS[proposal.status]:
        raise Refusal(409, "invalid_transition",
                       f"“{STATUS_LABELS[proposal.status]}”的建议不能改为“{STATUS_LABELS[to_status]}”。")


def _move(proposal: Proposal, to_status: str, actor: str, action: str, note: str = "", **details) -> None:
    before = proposal.status
    proposal.status = to_status
    proposal.updated_at = utcnow()
    _event(proposal, action, actor, before, to_status, note)
    _audit(proposal, f"proposal_{action}", actor, from_status=before, to_status=to_status, note=note, **details)


# Statuses set by the plain status form; the others have their own operation.
PLAIN_STATUSES = ("pending", "studying", "shortlisted")


@one_action
def change_status(proposal: Proposal, to_status: str, actor: str, note: str = "") -> Proposal:
    if to_status not in PLAIN_STATUSES:
        raise invalid({"status": "请选择待审、研究中或拟列为候选；合并、不予采纳和列入候选另有操作。"}, "invalid_status")
    note, problem = clean_text(note, "备注", required=False, max_length=500, multiline=True)
    if problem:
        raise invalid({"note": problem})
    if proposal.status == "candidate":
        raise Refusal(409, "invalid_transition", "该建议已列入候选项目；如需改变，请先在候选项目清单中取消关联。")
    _guard(proposal, to_status)
    _move(proposal, to_status, actor, "status_changed", note)
    if proposal.status != "declined":
        proposal.decline_reason = ""
    db.session.commit()
    return proposal


@one_action
def decline(proposal: Proposal, reason, actor: str) -> Proposal:
    reason, problem = clean_text(reason, "不予采纳的理由", required=True, min_length=2, max_length=500, multiline=True)
    if problem:
        raise invalid({"reason": problem}, "reason_required")
    _guard(proposal, "declined")
    proposal.decline_reason = reason
    _move(proposal, "declined", actor, "declined", reason)
    db.session.commit()
    return proposal


@one_action
def merge(proposal: Proposal, target: Proposal, actor: str) -> Proposal:
    """Merge `proposal` into `target`. Both rows stay with their proposers; proposals
    already merged into `proposal` now point at `target` too."""
    if target.id == proposal.id:
        raise Refusal(409, "invalid_transition", "不能把建议合并到它自己。")
    if target.body_id != proposal.body_id:
        raise Refusal(404, "not_found", "未找到要合并到的建议。")
    if target.status in ("merged", "declined"):
        raise Refusal(409, "invalid_transition", f"目标建议“{target.title}”{STATUS_LABELS[target.status]}，不能作为合并目标。")
    _guard(proposal, "merged")
    carried = list(proposal.merged_from)  # loaded before any change: the row checks hold at every flush
    note = f"合并至 #{target.id}“{target.title}”"
    with db.session.no_autoflush:
        proposal.merged_into_id = target.id
        _move(proposal, "merged", actor, "merged", note, target=target.id, carried=[c.id for c in carried])
    _event(target, "absorbed", actor, target.status, target.status, f"并入 #{proposal.id}“{proposal.title}”")
    for child in carried:
        child.merged_into_id = target.id
        _event(child, "merged", actor, "merged", "merged", f"随 #{proposal.id} 一并合并至 #{target.id}“{target.title}”")
        _event(target, "absorbed", actor, target.status, target.status, f"并入 #{child.id}“{child.title}”")
    db.session.commit()
    return proposal


@one_action
def set_reply(proposal: Proposal, reply, actor: str) -> Proposal:
    reply, problem = clean_text(reply, "答复", required=False, max_length=2000, multiline=True)
    if problem:
        raise invalid({"reply": problem})
    proposal.reply = reply
    proposal.updated_at = utcnow()
    _event(proposal, "replied", actor, proposal.status, proposal.status, reply)
    _audit(proposal, "proposal_replied", actor, length=len(reply))
    db.session.commit()
    return proposal


def proposal_query(body_id: int, filters: dict):
    query = select(Proposal).filter_by(body_id=body_id)
    if filters.get("station"):
        query = query.where(Proposal.station_id == filters["station"])
    if filters.get("category"):
        query = query.where(Proposal.category == filters["category"])
    if filters.get("township"):
        query = query.where(Proposal.township == filters["township"])
    if filters.get("status"):
        query = query.where(Proposal.status == filters["status"])
    if filters.get("q"):
        needle = f"%{filters['q']}%"
        query = query.where(or_(Proposal.title.like(needle), Proposal.description.like(needle),
                                Proposal.location.like(needle), Proposal.tracking_code == filters["q"].upper()))
    return query.order_by(Proposal.id.desc())


def proposal_page(query, page: int, size: int, *, searching: bool) -> tuple[list[Proposal], int]:
    """One page of a proposal list and the list's length. A text search scans the
    body's proposals (LIKE '%q%'): it counts them in the same pass (a window count)
    instead of scanning twice; a plain list counts from its index."""
    offset = (page - 1) * size
    if searching:
        found = db.session.execute(query.add_columns(func.count().over()).limit(size).offset(offset)).all()
        if found:
            return [row[0] for row in found], found[0][1]
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery())) or 0
    rows = db.session.execute(query.limit(size).offset(offset)).scalars().all() if total > offset else []
    return rows, total


def statistics(body_id: int) -> dict[str, list[tuple[str, int]]]:
    def grouped(column):
        rows = db.session.execute(
            select(column, func.count(Proposal.id)).select_from(Proposal).filter_by(body_id=body_id)
            .group_by(column)).all()
        return rows

    station_names = {s.id: s.name for s in stations_of(body_id)}
    by_station = [(station_names.get(sid, "（未经联络站）") if sid else "（未经联络站）", n)
                  for sid, n in grouped(Proposal.station_id)]
    merged: dict[str, int] = {}
    for label, n in by_station:
        merged[label] = merged.get(label, 0) + n
    by_category = dict(grouped(Proposal.category))
    by_township = [(t or "（未填写）", n) for t, n in grouped(Proposal.township)]
    by_status = dict(grouped(Proposal.status))
    return {
        "station": sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])),
        "category": [(c, by_category.get(c, 0)) for c in CATEGORIES],
        "township": sorted(by_township, key=lambda kv: (-kv[1], kv[0])),
        "status": [(STATUS_LABELS[s], by_status.get(s, 0)) for s in STATUS_LABELS],
    }
