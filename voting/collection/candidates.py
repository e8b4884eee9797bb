"""The candidate list (候选项目) of a year, from shortlisted proposals or entered directly."""
from datetime import date
from decimal import Decimal, InvalidOperation

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from voting.inputlimits import id_from
from voting.errors import Refusal, invalid
from voting.collection.models import Candidate, Proposal
from voting.extensions import db, one_action
from voting.integrity import audit
from voting.collection.screening import _move
from voting.collection.texts import clean_text


def parse_budget(raw) -> tuple[Decimal | None, str | None]:
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    if not text:
        return None, "请填写预算（万元）。"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "预算必须是数字（万元）。"
    if not value.is_finite() or value < 0:
        return None, "预算不能为负数。"
    if value >= Decimal("10000000000") or value != value.quantize(Decimal("0.01")):
        return None, "预算最多两位小数，且不超过 99 亿万元。"
    return value.quantize(Decimal("0.01")), None


def parse_date(raw) -> tuple[date | None, str | None]:
    if isinstance(raw, date):
        return raw, None
    text = str(raw or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, "计划完成时间应为日期，如 2026-12-31。"


def _candidate_fields(data: dict) -> dict:
    errors, fields = {}, {}
    year = data.get("year")
    try:
        fields["year"] = int(str(year).strip())
        if not 2000 <= fields["year"] <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = "年度应为四位数字，如 2026。"
    for name, label, required, low, high, multiline in (("title", "项目名称", True, 2, 60, False),
                                                         ("description", "项目内容", False, 0, 2000, True),
                                                         ("department", "责任单位", True, 2, 120, False)):
        fields[name], problem = clean_text(data.get(name), label, required=required, min_length=low,
                                           max_length=high, multiline=multiline)
        if problem:
            errors[name] = problem
    fields["budget"], problem = parse_budget(data.get("budget"))
    if problem:
        errors["budget"] = problem
    fields["planned_completion"], problem = parse_date(data.get("planned_completion"))
    if problem:
        errors["planned_completion"] = problem
    if errors:
        raise invalid(errors, "invalid_candidate")
    return fields


def _linkable(body_id: int, proposal_ids, keep: set[int] = frozenset()) -> list[Proposal]:
    ids = sorted({id_from(i) for i in proposal_ids or [] if id_from(i) is not None})
    proposals = list(db.session.execute(select(Proposal).where(Proposal.id.in_(ids))).scalars()) if ids else []
    if len(proposals) != len(ids) or any(p.body_id != body_id for p in proposals):
        raise invalid({"proposals": "所选建议不存在。"}, "invalid_candidate")
    for proposal in proposals:
        if proposal.id not in keep and proposal.status != "shortlisted":
            raise invalid({"proposals": f"建议 #{proposal.id}“{proposal.title}”不是“拟列为候选”状态。"},
                               "invalid_candidate")
    return proposals


@one_action
def create_candidate(body_id: int, data: dict, actor: str, proposal_ids=()) -> Candidate:
    fields = _candidate_fields(data)
    proposals = _linkable(body_id, proposal_ids)
    candidate = Candidate(body_id=body_id, state="draft", **fields)
    db.session.add(candidate)
    db.session.flush()
    _link(candidate, proposals, actor)
    audit.record("candidate_created", actor=actor, subject=f"candidate:{candidate.id}", body_id=body_id,
                 details={"year": candidate.year, "title": candidate.title, "budget": str(candidate.budget),
                          "proposals": [p.id for p in proposals]})
    db.session.commit()
    return candidate


def _link(candidate: Candidate, proposals: list[Proposal], actor: str) -> None:
    for proposal in proposals:
        if proposal in candidate.proposals:
            continue
        candidate.proposals.append(proposal)
        _move(proposal, "candidate", actor, "listed", f"列入{candidate.year}年候选项目“{candidate.title}”")


def _unlink(candidate: Candidate, proposal: Proposal, actor: str) -> None:
    candidate.proposals.remove(proposal)
    if proposal.status == "candidate" and not [c for c in proposal.candidates if c.id != candidate.id]:
        _move(proposal, "shortlisted", actor, "unlisted", f"移出候选项目“{candidate.title}”")


def _ensure_draft(candidate: Candidate) -> None:
    if candidate.state != "draft":
        raise Refusal(409, "invalid_transition", "该候选项目已提交票决，不能再修改。")


@one_action
def update_candidate(candidate: Candidate, data: dict, actor: str, proposal_ids=None) -> Candidate:
    _ensure_draft(candidate)
    fields = _candidate_fields(data)
    current = {p.id for p in candidate.proposals}
    proposals = _linkable(candidate.body_id, proposal_ids, keep=current) if proposal_ids is not None else None
    changes = {k: [str(getattr(candidate, k)), str(v)] for k, v in fields.items() if getattr(candidate, k) != v}
    for name, value in fields.items():
        setattr(candidate, name, value)
    if proposals is not None:
        wanted = {p.id for p in proposals}
        for proposal in list(candidate.proposals):
            if proposal.id not in wanted:
                _unlink(candidate, proposal, actor)
        _link(candidate, [p for p in proposals if p.id not in current], actor)
        changes["proposals"] = [sorted(current), sorted(wanted)]
    audit.record("candidate_updated", actor=actor, subject=f"candidate:{candidate.id}", body_id=candidate.body_id,
                 details={"changes": changes})
    db.session.commit()
    return candidate


@one_action
def delete_candidate(candidate: Candidate, actor: str) -> None:
    _ensure_draft(candidate)
    for proposal in list(candidate.proposals):
        _unlink(candidate, proposal, actor)
    audit.record("candidate_deleted", actor=actor, subject=f"candidate:{candidate.id}", body_id=candidate.body_id,
                 details={"year": candidate.year, "title": candidate.title})
    db.session.delete(candidate)
    db.session.commit()


def candidates_of(body_id: int, year: int) -> list[Candidate]:
    return list(db.session.execute(
        select(Candidate).filter_by(body_id=body_id, year=year).order_by(Candidate.id)).scalars())


def candidate_years(body_id: int) -> list[int]:
    return sorted(db.session.execute(
        select(Candidate.year).filter_by(body_id=body_id).distinct()).scalars(), reverse=True)


def total_budget(candidates: list[Candidate]) -> Decimal:
    return sum((c.budget for c in candidates), Decimal("0"))


SHORTLIST_SHOWN = 200


def shortlisted_proposals(body_id: int, query: str = "", limit: int | None = None) -> list[Proposal]:
    """Proposals marked 拟列为候选 whose title holds `query`, the `limit` newest, with the
    proposals merged into them loaded at once (the candidate page shows their number:
    one query, not one per proposal). A year's shortlist is a few dozen; a page never
    lists thousands of checkboxes."""
    statement = select(Proposal).filter_by(body_id=body_id, status="shortlisted")
    if query:
        statement = statement.where(Proposal.title.contains(query, autoescape=True))
    return list(db.session.execute(statement.order_by(Proposal.id.desc()).limit(limit or SHORTLIST_SHOWN)
                                   .options(selectinload(Proposal.merged_from))).scalars())


def shortlisted_count(body_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal).filter_by(
        body_id=body_id, status="shortlisted")) or 0
