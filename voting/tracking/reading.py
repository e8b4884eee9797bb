"""Reading projects: the staff's and departments' lists, the public's, and who may report."""
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from voting.accounts.models import Body
from voting.errors import Refusal
from voting.ballots.models import Ballot, BallotItem
from voting.extensions import db
from voting.tracking.models import LivelihoodProject, Milestone
from voting.tracking.progress import STATUS_LABELS, overdue


def public_clause():
    """Projects the public may see: those of items selected in a published selection
    ballot (and projects registered without a ballot)."""
    published_items = select(BallotItem.id).join(Ballot, Ballot.id == BallotItem.ballot_id).where(
        Ballot.state == "published", Ballot.kind == "selection")
    return or_(LivelihoodProject.ballot_item_id.is_(None), LivelihoodProject.ballot_item_id.in_(published_items))


def _loaded():
    return (selectinload(LivelihoodProject.milestones),)


def public_projects(body_id: int | None = None, year: int | None = None) -> list[LivelihoodProject]:
    query = select(LivelihoodProject).where(public_clause()).options(*_loaded())
    if body_id is not None:
        query = query.where(LivelihoodProject.body_id == body_id)
    if year is not None:
        query = query.where(LivelihoodProject.year == year)
    return list(db.session.execute(query.order_by(LivelihoodProject.body_id, LivelihoodProject.id)).scalars())


def public_project(project_id: int) -> LivelihoodProject | None:
    return db.session.execute(
        select(LivelihoodProject).where(LivelihoodProject.id == project_id, public_clause())).scalar_one_or_none()


def public_years(body_id: int | None = None) -> list[int]:
    query = select(LivelihoodProject.year).where(public_clause()).distinct()
    if body_id is not None:
        query = query.where(LivelihoodProject.body_id == body_id)
    return sorted(db.session.execute(query).scalars(), reverse=True)


def public_bodies() -> list[Body]:
    ids = select(LivelihoodProject.body_id).where(public_clause()).distinct()
    return list(db.session.execute(select(Body).where(Body.id.in_(ids)).order_by(Body.id)).scalars())


def project_for_proposal(tracking_code: str) -> LivelihoodProject | None:
    """The public project that came out of the proposal with this tracking code
    (following merges), or None. For the collection's tracking page."""
    from voting.collection.services import find_by_tracking_code

    proposal = find_by_tracking_code(tracking_code)
    seen = set()
    while proposal is not None and proposal.merged_into_id is not None and proposal.id not in seen:
        seen.add(proposal.id)
        proposal = proposal.merged_into
    if proposal is None or not proposal.candidates:
        return None
    candidate_ids = [c.id for c in proposal.candidates]
    return db.session.execute(
        select(LivelihoodProject).where(LivelihoodProject.candidate_id.in_(candidate_ids), public_clause())
        .order_by(LivelihoodProject.id).limit(1)).scalar_one_or_none()


def project_summary(project: LivelihoodProject, today: date) -> dict:
    """What the API, the year report and the public list say about a project."""
    status = project.status_on(today)
    return {"id": str(project.id), "title": project.title, "department": project.department,
            "status": status, "status_text": STATUS_LABELS[status], "progress": project.progress,
            "year": project.year, "body_id": str(project.body_id),
            "budget": str(project.budget) if project.budget is not None else None,
            "planned_completion": project.planned_completion.isoformat() if project.planned_completion else None}


def year_report(body_id: int, year: int, today: date) -> list[dict]:
    """Each project of a body's year as the year-end report reads it: the summary,
    the latest published update, overdue milestones, inspections and open
    supervision proposals. Drafts are left out."""
    rows = []
    for project in staff_projects(body_id, year):
        latest = project.published_updates[0] if project.published_updates else None
        proposals = [p for inspection in project.inspections for p in inspection.proposals]
        rows.append({**project_summary(project, today),
                     "latest_update": {"percent": latest.percent, "text": latest.text,
                                       "published_at": latest.published_at.isoformat(timespec="seconds")}
                     if latest else None,
                     "milestones": len(project.milestones),
                     "overdue_milestones": [m.title for m in overdue(project.milestones, today)],
                     "inspections": len(project.inspections),
                     "supervision_proposals": len(proposals),
                     "unanswered_proposals": sum(1 for p in proposals if p.reply is None)})
    return rows


def staff_projects(body_id: int, year: int | None = None, department: str | None = None) -> list[LivelihoodProject]:
    query = select(LivelihoodProject).where(LivelihoodProject.body_id == body_id).options(*_loaded())
    if year is not None:
        query = query.where(LivelihoodProject.year == year)
    if department is not None:
        query = query.where(LivelihoodProject.department == department)
    return list(db.session.execute(query.order_by(LivelihoodProject.id)).scalars())


def project_years(body_id: int) -> list[int]:
    return sorted(db.session.execute(select(LivelihoodProject.year).filter_by(body_id=body_id).distinct()).scalars(),
                  reverse=True)


def delayed_projects(body_ids, today: date) -> list[tuple[LivelihoodProject, list[Milestone]]]:
    """Projects that are 滞后 on `today`, with their overdue milestones."""
    projects = db.session.execute(
        select(LivelihoodProject).where(LivelihoodProject.body_id.in_(list(body_ids)))
        .options(*_loaded()).order_by(LivelihoodProject.body_id, LivelihoodProject.id)).scalars()
    return [(p, overdue(p.milestones, today)) for p in projects if p.status_on(today) == "delayed"]


def status_counts(projects, today: date) -> dict[str, int]:
    counts = {status: 0 for status in STATUS_LABELS}
    for project in projects:
        counts[project.status_on(today)] += 1
    return counts


def may_report(principal, project: LivelihoodProject) -> bool:
    """A department account reports only on its own department's projects of its body."""
    department = (getattr(principal, "department", None) or "").strip()
    return (getattr(principal, "role", None) == "department" and principal.body_id == project.body_id
            and bool(department) and department == project.department.strip())


def _ensure_reporter(principal, project: LivelihoodProject) -> None:
    if not may_report(principal, project):
        raise Refusal(403, "forbidden", "只有该项目的责任单位可以填报进度。")
