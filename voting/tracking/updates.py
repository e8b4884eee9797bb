"""Progress updates, milestones and project details: every field checked, one commit."""
from datetime import date, datetime

from sqlalchemy import select

from voting.inputlimits import small_int
from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting import uploads
from voting.extensions import db
from voting.integrity import audit
from voting.tracking.models import LivelihoodProject, Milestone, ProgressUpdate
from voting.tracking.progress import base_status
from voting.tracking.photos import _store_photos, check_photos_with
from voting.tracking.reading import _ensure_reporter


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
    checked = check_photos_with(errors, photos)
    if errors:
        raise invalid(errors, "invalid_update")
    update = ProgressUpdate(project_id=project.id, body_id=project.body_id, percent=percent, text=text,
                            author=principal.username, author_id=principal.id, published=publish,
                            published_at=now if publish else None, created_at=now)
    db.session.add(update)
    db.session.flush()
    with uploads.files_of_the_transaction() as written:
        _store_photos(checked, project, written, update_id=update.id)
        if publish:
            _refresh_progress(project, now)
        audit.record("progress_update_published" if publish else "progress_update_drafted",
                     actor=principal.username, subject=f"project:{project.id}", body_id=project.body_id,
                     details={"update": update.id, "percent": percent, "photos": len(written)})
        db.session.commit()
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
