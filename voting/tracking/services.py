"""Supervision operations: projects from selection results, progress updates,
milestones, inspections, supervision proposals, photos; and the public reads.

Every write validates first (photos included), then changes rows, records the audit
entry and commits once. Bad input raises a `Refusal` (its `errors` carry a
message per field) before anything is written; a photo file written before a failed
commit is removed again, so a refusal leaves neither a row nor a file.
"""
import hashlib
import os
import secrets
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from voting.inputlimits import id_from, small_int
from voting.accounts.models import Body, utcnow
from voting.errors import Refusal, invalid
from voting.ballots.models import Ballot, BallotItem, TallySheet
from voting.collection.models import Candidate
from voting.extensions import db
from voting.integrity import audit
from voting.tracking.models import (
    Inspection, LivelihoodProject, Milestone, ProgressUpdate, ProjectPhoto, SupervisionProposal,
)
from voting.tracking.progress import STATUS_LABELS, base_status, overdue

MAX_PHOTOS = 6
PHOTO_FOLDER = "projects"


# ---------------------------------------------------------------- selection results -> projects

SELECTED = "selected"
RESULT_STATES = ("closed", "published")


def selected_item_ids(ballot: Ballot, session: Session | None = None) -> list[int]:
    """Ids of the items the ballot's signed tally sheet marks `selected`."""
    session = session or db.session
    sheet = next((obj for obj in session.new if isinstance(obj, TallySheet) and obj.ballot_id == ballot.id), None)
    if sheet is None:
        sheet = session.execute(select(TallySheet).filter_by(ballot_id=ballot.id)).scalar_one_or_none()
    if sheet is None:
        return []
    known = {str(item.id): item.id for item in ballot.items}
    return [known[str(entry.get("id"))] for entry in sheet.sheet.get("items", [])
            if entry.get("outcome") == SELECTED and str(entry.get("id")) in known]


def _root_item(item: BallotItem, session: Session) -> BallotItem:
    """The round-1 item a runoff item continues."""
    seen = {item.id}
    while item.source_item_id is not None and item.source_item_id not in seen:
        parent = session.get(BallotItem, item.source_item_id)
        if parent is None:
            break
        seen.add(parent.id)
        item = parent
    return item


def candidate_for_item(item: BallotItem, session: Session | None = None) -> Candidate | None:
    """The candidate (collection) a ballot item stands for: by its reference
    "candidate:<id>", else the one candidate of the list that became this ballot
    with the same title."""
    session = session or db.session
    root = _root_item(item, session)
    body_id = item.ballot.body_id
    reference = root.reference or ""
    if reference.startswith("candidate:") and id_from(reference[len("candidate:"):]) is not None:
        candidate = session.get(Candidate, int(reference[len("candidate:"):]))
        if candidate is not None and candidate.body_id == body_id:
            return candidate
    matches = list(session.execute(
        select(Candidate).filter_by(body_id=body_id, ballot_id=root.ballot_id, title=root.title)).scalars())
    return matches[0] if len(matches) == 1 else None


def _year_of(ballot: Ballot, candidate: Candidate | None) -> int:
    if candidate is not None:
        return candidate.year
    if ballot.meeting is not None and ballot.meeting.year:
        return ballot.meeting.year
    return (ballot.created_at or utcnow()).year


def _add_projects(ballot: Ballot, session: Session) -> list[LivelihoodProject]:
    """Add (not commit) a project for every selected item that has none yet."""
    wanted = selected_item_ids(ballot, session)
    if not wanted:
        return []
    existing = set(session.execute(
        select(LivelihoodProject.ballot_item_id).where(LivelihoodProject.ballot_item_id.in_(wanted))).scalars())
    existing |= {obj.ballot_item_id for obj in session.new if isinstance(obj, LivelihoodProject)}
    items = {item.id: item for item in ballot.items}
    created = []
    for item_id in wanted:
        if item_id in existing:
            continue
        item = items[item_id]
        candidate = candidate_for_item(item, session)
        project = LivelihoodProject(
            body_id=ballot.body_id, year=_year_of(ballot, candidate), title=item.title,
            description=(candidate.description if candidate is not None and candidate.description
                         else item.description or ""),
            department=candidate.department if candidate is not None else "",
            budget=candidate.budget if candidate is not None else None,
            planned_completion=candidate.planned_completion if candidate is not None else None,
            status="not_started", progress=0, ballot_item_id=item.id,
            candidate_id=candidate.id if candidate is not None else None,
        )
        session.add(project)
        created.append(project)
    return created


def projects_from_ballot(ballot: Ballot, actor: str = "system") -> list[LivelihoodProject]:
    """Track every item `selected` in a closed or published selection ballot (a runoff
    round adds its own selected items). Idempotent: items already tracked are skipped.
    Returns the projects created now; commits."""
    # Lock the ballot row as publishing does, so that a publish (whose hook adds the
    # same projects) and this generation never run side by side.
    ballot = db.session.execute(select(Ballot).where(Ballot.id == ballot.id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    if ballot.kind != "selection":
        raise Refusal(409, "not_selection_ballot", "只有项目票决的结果才能生成督办项目。")
    if ballot.state not in RESULT_STATES:
        raise Refusal(409, "results_not_available", "表决尚未结束，暂不能生成项目。")
    created = _add_projects(ballot, db.session)
    if not created:
        return []
    try:
        db.session.flush()
        audit.record("projects_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                     details={"projects": [[p.id, p.ballot_item_id, p.title] for p in created]})
        db.session.commit()
    except IntegrityError:
        # Someone else generated the same projects at the same moment; theirs stand.
        db.session.rollback()
        return []
    return created


def track_published_selection(ballot: Ballot) -> list[LivelihoodProject]:
    """Called by `ballots.services.publish_ballot` for a selection ballot: its selected
    items become tracked projects in the publishing transaction, so that the public
    list always holds every published selection."""
    with db.session.no_autoflush:
        return _add_projects(ballot, db.session)


def result_ballots(body_id: int) -> list[dict]:
    """Closed and published selection ballots of a body, with what they yielded."""
    ballots = db.session.execute(
        select(Ballot).where(Ballot.body_id == body_id, Ballot.kind == "selection", Ballot.state.in_(RESULT_STATES))
        .order_by(Ballot.id.desc())).scalars()
    rows = []
    for ballot in ballots:
        wanted = selected_item_ids(ballot)
        tracked = set(db.session.execute(select(LivelihoodProject.ballot_item_id)
                                         .where(LivelihoodProject.ballot_item_id.in_(wanted))).scalars()) \
            if wanted else set()
        rows.append({"ballot": ballot, "selected": len(wanted), "tracked": len(tracked),
                     "missing": len(set(wanted) - tracked)})
    return rows


# ---------------------------------------------------------------- reading

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


# ---------------------------------------------------------------- who may report

def may_report(principal, project: LivelihoodProject) -> bool:
    """A department account reports only on its own department's projects of its body."""
    department = (getattr(principal, "department", None) or "").strip()
    return (getattr(principal, "role", None) == "department" and principal.body_id == project.body_id
            and bool(department) and department == project.department.strip())


def _ensure_reporter(principal, project: LivelihoodProject) -> None:
    if not may_report(principal, project):
        raise Refusal(403, "forbidden", "只有该项目的责任单位可以填报进度。")


# ---------------------------------------------------------------- text and values

def _text(value, label: str, *, required: bool = True, low: int = 0, high: int = 2000,
          multiline: bool = True) -> tuple[str, str | None]:
    from voting.collection.services import clean_text

    return clean_text(value, label, required=required, min_length=low, max_length=high, multiline=multiline)


def _percent(raw) -> tuple[int | None, str | None]:
    text = str(raw).strip() if raw is not None else ""
    if small_int(text, 3) is None or small_int(text, 3) > 100:
        return None, "完成进度应为 0 至 100 的整数（百分比）。"
    return small_int(text, 3), None


def _date(raw, label: str, required: bool = True) -> tuple[date | None, str | None]:
    if isinstance(raw, date):
        return raw, None
    text = str(raw or "").strip()
    if not text:
        return None, f"请填写{label}。" if required else None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        return None, f"{label}应为日期，如 2026-06-30。"
    if not 2000 <= value.year <= 2100:
        return None, f"{label}超出合理范围。"
    return value, None


# ---------------------------------------------------------------- photos

@dataclass
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str


def check_photos(photos: list[tuple[str, bytes]]) -> list[CheckedPhoto]:
    """JPEG or PNG by content (Pillow), each within the size limit; all or nothing."""
    from voting.collection.services import check_photo

    photos = [(name, raw) for name, raw in photos if name or raw]
    if len(photos) > MAX_PHOTOS:
        raise invalid({"photos": f"一次最多上传 {MAX_PHOTOS} 张照片。"}, "invalid_photo")
    checked = []
    for name, raw in photos:
        try:
            photo = check_photo(raw, name)
        except Refusal as refused:
            message = refused.errors.get("photos") or refused.message
            raise invalid({"photos": message}, "invalid_photo") from None
        checked.append(CheckedPhoto(photo.data, photo.content_type, photo.extension))
    return checked


def photo_dir() -> Path:
    from voting.collection.services import upload_dir

    return upload_dir() / PHOTO_FOLDER


def photo_path(photo: ProjectPhoto) -> Path:
    return photo_dir() / photo.stored_name


def _store_photos(checked: list[CheckedPhoto], project: LivelihoodProject, **owner) -> list[Path]:
    """Write the files and add their rows (the caller commits, or unlinks on failure)."""
    folder = photo_dir()
    written: list[Path] = []
    try:
        if checked:
            folder.mkdir(parents=True, exist_ok=True)
        for photo in checked:
            name = f"{secrets.token_hex(16)}.{photo.extension}"
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            with os.fdopen(fd, "wb") as handle:
                handle.write(photo.data)
            written.append(path)
            db.session.add(ProjectPhoto(project_id=project.id, body_id=project.body_id, stored_name=name,
                                        content_type=photo.content_type, size=len(photo.data),
                                        sha256=hashlib.sha256(photo.data).hexdigest(), **owner))
        db.session.flush()
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def _commit_or_unlink(written: list[Path]) -> None:
    try:
        db.session.commit()
    except Exception:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise


# ---------------------------------------------------------------- progress updates

def _refresh_progress(project: LivelihoodProject, now: datetime) -> None:
    """Copy the latest published update onto the project."""
    latest = db.session.execute(
        select(ProgressUpdate).filter_by(project_id=project.id, published=True)
        .order_by(ProgressUpdate.published_at.desc(), ProgressUpdate.id.desc()).limit(1)).scalar_one_or_none()
    project.progress = latest.percent if latest is not None else 0
    project.status = base_status(project.progress)
    project.updated_at = now


def create_update(project: LivelihoodProject, principal, data: dict, photos: list[tuple[str, bytes]] = (),
                  *, publish: bool, now: datetime | None = None) -> ProgressUpdate:
    """A new progress update by the project's department: a draft, or published at once."""
    _ensure_reporter(principal, project)
    now = now or utcnow()
    errors = {}
    percent, problem = _percent(data.get("percent"))
    if problem:
        errors["percent"] = problem
    text, problem = _text(data.get("text"), "进展情况", low=2, high=2000)
    if problem:
        errors["text"] = problem
    try:
        checked = check_photos(list(photos))
    except Refusal as refused:
        errors.update(refused.errors)
        checked = []
    if errors:
        raise invalid(errors, "invalid_update")
    update = ProgressUpdate(project_id=project.id, body_id=project.body_id, percent=percent, text=text,
                            author=principal.username, author_id=principal.id, published=publish,
                            published_at=now if publish else None, created_at=now)
    db.session.add(update)
    db.session.flush()
    written = _store_photos(checked, project, update_id=update.id)
    try:
        if publish:
            _refresh_progress(project, now)
        audit.record("progress_update_published" if publish else "progress_update_drafted",
                     actor=principal.username, subject=f"project:{project.id}", body_id=project.body_id,
                     details={"update": update.id, "percent": percent, "photos": len(written)})
    except Exception:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    _commit_or_unlink(written)
    return update


def publish_update(update: ProgressUpdate, principal, now: datetime | None = None) -> ProgressUpdate:
    """Publish a draft; its content stays as it was saved."""
    project = update.project
    _ensure_reporter(principal, project)
    if update.published:
        raise Refusal(409, "invalid_transition", "这条进展已经公开。")
    now = now or utcnow()
    update.published = True
    update.published_at = now
    db.session.flush()
    _refresh_progress(project, now)
    audit.record("progress_update_published", actor=principal.username, subject=f"project:{project.id}",
                 body_id=project.body_id, details={"update": update.id, "percent": update.percent})
    db.session.commit()
    return update


# ---------------------------------------------------------------- milestones

def add_milestone(project: LivelihoodProject, data: dict, actor: str) -> Milestone:
    errors = {}
    title, problem = _text(data.get("title"), "节点名称", low=2, high=120, multiline=False)
    if problem:
        errors["title"] = problem
    due, problem = _date(data.get("due_date"), "计划完成日期")
    if problem:
        errors["due_date"] = problem
    if errors:
        raise invalid(errors, "invalid_milestone")
    milestone = Milestone(project_id=project.id, body_id=project.body_id, title=title, due_date=due,
                          created_by=actor)
    db.session.add(milestone)
    db.session.flush()
    audit.record("milestone_added", actor=actor, subject=f"project:{project.id}", body_id=project.body_id,
                 details={"milestone": milestone.id, "title": title, "due_date": due.isoformat()})
    db.session.commit()
    return milestone


def complete_milestone(milestone: Milestone, actor: str, today: date) -> Milestone:
    if milestone.done_at is not None:
        raise Refusal(409, "invalid_transition", "该节点已标记完成。")
    milestone.done_at = today
    audit.record("milestone_done", actor=actor, subject=f"project:{milestone.project_id}", body_id=milestone.body_id,
                 details={"milestone": milestone.id, "done_at": today.isoformat()})
    db.session.commit()
    return milestone


# ---------------------------------------------------------------- project details

def update_project(project: LivelihoodProject, data: dict, actor: str) -> LivelihoodProject:
    """Secretariat fixes the details the ballot item did not carry. The title stays the
    ballot item's title."""
    from voting.collection.services import parse_budget

    errors, fields = {}, {}
    fields["department"], problem = _text(data.get("department"), "责任单位", low=2, high=120, multiline=False)
    if problem:
        errors["department"] = problem
    fields["description"], problem = _text(data.get("description"), "项目内容", required=False, high=2000)
    if problem:
        errors["description"] = problem
    if str(data.get("budget") or "").strip():
        fields["budget"], problem = parse_budget(data.get("budget"))
        if problem:
            errors["budget"] = problem
    else:
        fields["budget"] = None
    fields["planned_completion"], problem = _date(data.get("planned_completion"), "计划完成时间", required=False)
    if problem:
        errors["planned_completion"] = problem
    if errors:
        raise invalid(errors, "invalid_project")
    changes = {k: [str(getattr(project, k)), str(v)] for k, v in fields.items() if getattr(project, k) != v}
    for name, value in fields.items():
        setattr(project, name, value)
    audit.record("project_updated", actor=actor, subject=f"project:{project.id}", body_id=project.body_id,
                 details={"changes": changes})
    db.session.commit()
    return project


# ---------------------------------------------------------------- inspections

def _proposal_lines(raw) -> list[str]:
    return [line.strip() for line in str(raw or "").replace("\r\n", "\n").split("\n") if line.strip()]


def record_inspection(project: LivelihoodProject, data: dict, photos: list[tuple[str, bytes]], actor: str,
                      ) -> Inspection:
    """An inspection with its findings, photos and supervision proposals (one per line)."""
    errors = {}
    visited_on, problem = _date(data.get("visited_on"), "视察日期")
    if problem:
        errors["visited_on"] = problem
    deputies, problem = _text(data.get("deputies"), "参加视察的代表", low=2, high=1000)
    if problem:
        errors["deputies"] = problem
    findings, problem = _text(data.get("findings"), "视察发现", low=2, high=4000)
    if problem:
        errors["findings"] = problem
    lines = _proposal_lines(data.get("proposals"))
    for line in lines:
        _, problem = _text(line, "督办建议", low=2, high=1000)
        if problem:
            errors["proposals"] = problem
            break
    if len(lines) > 30:
        errors["proposals"] = "督办建议一次最多 30 条。"
    try:
        checked = check_photos(list(photos))
    except Refusal as refused:
        errors.update(refused.errors)
        checked = []
    if errors:
        raise invalid(errors, "invalid_inspection")
    inspection = Inspection(project_id=project.id, body_id=project.body_id, visited_on=visited_on,
                            deputies=deputies, findings=findings, created_by=actor)
    db.session.add(inspection)
    db.session.flush()
    for line in lines:
        db.session.add(SupervisionProposal(inspection_id=inspection.id, project_id=project.id,
                                           body_id=project.body_id, text=line))
    written = _store_photos(checked, project, inspection_id=inspection.id)
    try:
        audit.record("inspection_recorded", actor=actor, subject=f"project:{project.id}", body_id=project.body_id,
                     details={"inspection": inspection.id, "visited_on": visited_on.isoformat(),
                              "proposals": len(lines), "photos": len(written)})
    except Exception:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    _commit_or_unlink(written)
    return inspection


def add_supervision_proposal(inspection: Inspection, raw_text, actor: str) -> SupervisionProposal:
    text, problem = _text(raw_text, "督办建议", low=2, high=1000)
    if problem:
        raise invalid({"text": problem}, "invalid_proposal")
    proposal = SupervisionProposal(inspection_id=inspection.id, project_id=inspection.project_id,
                                   body_id=inspection.body_id, text=text)
    db.session.add(proposal)
    db.session.flush()
    audit.record("supervision_proposal_added", actor=actor, subject=f"project:{inspection.project_id}",
                 body_id=inspection.body_id, details={"inspection": inspection.id, "proposal": proposal.id})
    db.session.commit()
    return proposal


def reply_to_proposal(proposal: SupervisionProposal, principal, raw_text, now: datetime | None = None,
                      ) -> SupervisionProposal:
    """The responsible department answers a supervision proposal, once."""
    _ensure_reporter(principal, proposal.project)
    if proposal.reply is not None:
        raise Refusal(409, "invalid_transition", "该督办建议已经答复。")
    text, problem = _text(raw_text, "答复", low=2, high=2000)
    if problem:
        raise invalid({"reply": problem}, "invalid_reply")
    proposal.reply = text
    proposal.replied_by = principal.username
    proposal.replied_at = now or utcnow()
    audit.record("supervision_replied", actor=principal.username, subject=f"project:{proposal.project_id}",
                 body_id=proposal.body_id, details={"proposal": proposal.id})
    db.session.commit()
    return proposal
