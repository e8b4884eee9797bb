"""Supervision pages, all under /tracking: the public progress pages (/tracking/public,
formerly /projects, which redirects: voting/moved.py), the staff and department pages of
each project, the 督办看板 of delayed projects and the generation of projects from
selection results."""
from datetime import date

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import Forbidden, NotFound

from voting.localtime import local_today
from voting.inputlimits import id_from, small_int
from voting.accounts.models import Body
from voting.accounts.permissions import (
    MANAGE_PROJECTS, READ_PROJECTS, UPDATE_OWN_PROJECTS, current_principal, ensure_readable, ensure_writable,
    has_permission, readable_bodies, readable_body_ids, reading_body, require,
)
from voting.accounts.views import add_dashboard_link, add_dashboard_panel
from voting.errors import Refusal
from voting.ballots.models import Ballot
from voting.collection.limits import tracking_limit
from voting.extensions import db
from voting.tracking import forms, services
from voting.tracking.models import Inspection, LivelihoodProject, Milestone, ProgressUpdate, ProjectPhoto, \
    SupervisionProposal
from voting.tracking.progress import STATUS_LABELS

bp = Blueprint("tracking", __name__, url_prefix="/tracking")

add_dashboard_link({"secretariat", "leader", "admin"}, "tracking.board", "督办看板",
                   "滞后项目与逾期节点一览，按进度督促责任单位")
add_dashboard_link({"secretariat", "leader", "admin"}, "tracking.projects", "民生实事项目督办",
                   "全年跟踪：节点、进展、代表视察与督办建议")
add_dashboard_link({"secretariat"}, "tracking.generate", "从票决结果生成项目",
                   "把项目票决中当选的项目列入全年跟踪督办")
add_dashboard_link({"department"}, "tracking.projects", "本单位民生实事项目",
                   "填报进度与照片，答复代表督办建议")


def _today() -> date:
    return local_today()


DASHBOARD_DELAYED_SHOWN = 10


def _delayed_panel() -> dict:
    """The 滞后 projects of the bodies the caller reads (as on the board), for the dashboard."""
    principal = current_principal()
    delayed = [project for project, _ in services.delayed_projects(readable_body_ids(principal), _today())]
    return {"delayed": delayed[:DASHBOARD_DELAYED_SHOWN], "delayed_total": len(delayed),
            "own_body_id": principal.body_id}


add_dashboard_panel({"secretariat", "leader"}, "tracking/_dashboard.html", _delayed_panel)


def _actor() -> str:
    return current_principal().username


def _year_arg(default: int | None) -> int | None:
    raw = request.args.get("year", "")
    if 2000 <= (small_int(raw) or 0) <= 2100:
        return small_int(raw)
    return default


def _project(project_id: int, write: bool = False) -> LivelihoodProject:
    """The project if the caller may see it (and change it, with `write`).
    Another body's project is 404; a department sees only its own department's."""
    project = db.session.get(LivelihoodProject, project_id)
    if project is None:
        raise NotFound()
    principal = current_principal()
    if principal.role == "department":
        if principal.body_id != project.body_id:
            raise NotFound()
        if not services.may_report(principal, project):
            raise Forbidden()
        return project
    (ensure_writable if write else ensure_readable)(principal, project.body_id)
    return project


def _owned(model, record_id: int, write: bool = True):
    """A record attached to a project, checked through its project."""
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    return record, _project(record.project_id, write=write)


# ---------------------------------------------------------------- public pages

def _public_body() -> Body | None:
    raw = request.args.get("body", "")
    if not raw:
        return None
    body = db.session.get(Body, id_from(raw)) if id_from(raw) is not None else None
    if body is None:
        abort(404)
    return body


@bp.get("/public")
def public_projects():
    body = _public_body()
    years = services.public_years(body.id if body else None)
    today = _today()
    default_year = today.year if today.year in years or not years else years[0]
    year = _year_arg(default_year)
    projects = services.public_projects(body.id if body else None, year)
    return render_template("tracking/public_list.html", projects=projects, year=year,
                           years=sorted(set(years) | {year}, reverse=True), body=body,
                           bodies=services.public_bodies(), today=today, labels=STATUS_LABELS,
                           counts=services.status_counts(projects, today))


@bp.get("/public/<int:project_id>")
def public_project(project_id):
    project = services.public_project(project_id)
    if project is None:
        abort(404)
    return render_template("tracking/public_detail.html", project=project, today=_today(), labels=STATUS_LABELS)


@bp.get("/public/lookup")
@tracking_limit
def lookup():
    code = request.args.get("code", "").strip()[:32]
    if not code:
        return redirect(url_for("tracking.public_projects"))
    project = services.project_for_proposal(code)
    if project is None:
        return render_template("tracking/lookup.html", code=code), 404
    return redirect(url_for("tracking.public_project", project_id=project.id))


def _photo_response(photo: ProjectPhoto, public: bool):
    path = services.photo_path(photo)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=photo.content_type, as_attachment=False,
                         download_name=f"project-{photo.project_id}-{photo.id}{path.suffix}", max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private, no-store"
    return response


@bp.get("/public/photos/<int:photo_id>")
def public_photo(photo_id):
    photo = db.session.get(ProjectPhoto, photo_id)
    if photo is None or not photo.public or services.public_project(photo.project_id) is None:
        abort(404)
    return _photo_response(photo, public=True)


# ---------------------------------------------------------------- staff and department pages


@bp.get("/")
@require(READ_PROJECTS, UPDATE_OWN_PROJECTS)
def home():
    return redirect(url_for("tracking.projects"))


@bp.get("/projects")
@require(READ_PROJECTS, UPDATE_OWN_PROJECTS)
def projects():
    principal = current_principal()
    department = None
    if principal.role == "department":
        body = db.session.get(Body, principal.body_id)
        department = (principal.department or "").strip()
        bodies = [body]
    else:
        body = reading_body()
        bodies = readable_bodies()
    years = services.project_years(body.id)
    today = _today()
    year = _year_arg(today.year if today.year in years or not years else years[0])
    rows = services.staff_projects(body.id, year, department) if department != "" else []
    return render_template("tracking/projects.html", body=body, bodies=bodies, rows=rows, year=year,
                           years=sorted(set(years) | {year}, reverse=True), today=today, department=department,
                           counts=services.status_counts(rows, today), labels=STATUS_LABELS)


def _project_page(project: LivelihoodProject, errors: dict | None = None, values: dict | None = None,
                  status: int = 200):
    principal = current_principal()
    return render_template(
        "tracking/project.html", project=project, today=_today(), errors=errors or {}, values=values or {},
        can_manage=has_permission(principal, MANAGE_PROJECTS) and principal.body_id == project.body_id,
        can_report=services.may_report(principal, project), labels=STATUS_LABELS,
        max_photos=services.MAX_PHOTOS), status


@bp.get("/projects/<int:project_id>")
@require(READ_PROJECTS, UPDATE_OWN_PROJECTS)
def project(project_id):
    return _project_page(_project(project_id))


def _act(project: LivelihoodProject, action, success: str, form_name: str):
    """Run one write; on refusal show the project page again with the messages."""
    try:
        action()
    except Refusal as error:
        db.session.rollback()
        errors = {f"{form_name}.{key}": message for key, message in error.field_messages().items()}
        errors["_"] = error.message
        return _project_page(project, errors, {form_name: dict(request.form)}, error.status)
    flash(success, "success")
    return redirect(url_for("tracking.project", project_id=project.id))


@bp.post("/projects/<int:project_id>/updates")
@require(UPDATE_OWN_PROJECTS)
def create_update(project_id):
    item = _project(project_id, write=True)
    publish = request.form.get("publish") == "1"
    return _act(item, lambda: services.create_update(item, current_principal(),
                                                     forms.values(request.form, forms.UPDATE_FIELDS),
                                                     forms.photos(request.files), publish=publish),
                "进展已公开。" if publish else "草稿已保存，公开前只有工作人员能看到。", "update")


@bp.post("/updates/<int:update_id>/publish")
@require(UPDATE_OWN_PROJECTS)
def publish_update(update_id):
    update, item = _owned(ProgressUpdate, update_id)
    return _act(item, lambda: services.publish_update(update, current_principal()), "进展已公开。", "publish")


@bp.post("/projects/<int:project_id>/milestones")
@require(MANAGE_PROJECTS, UPDATE_OWN_PROJECTS)
def add_milestone(project_id):
    item = _project(project_id, write=True)
    return _act(item, lambda: services.add_milestone(item, forms.values(request.form, forms.MILESTONE_FIELDS),
                                                     _actor()), "节点已添加。", "milestone")


@bp.post("/milestones/<int:milestone_id>/done")
@require(MANAGE_PROJECTS, UPDATE_OWN_PROJECTS)
def complete_milestone(milestone_id):
    milestone, item = _owned(Milestone, milestone_id)
    return _act(item, lambda: services.complete_milestone(milestone, _actor(), _today()),
                f"节点“{milestone.title}”已标记完成。", "done")


@bp.route("/projects/<int:project_id>/edit", methods=["GET", "POST"])
@require(MANAGE_PROJECTS)
def edit_project(project_id):
    item = _project(project_id, write=True)
    values = {"department": item.department, "description": item.description,
              "budget": "" if item.budget is None else str(item.budget),
              "planned_completion": item.planned_completion.isoformat() if item.planned_completion else ""}
    if request.method == "POST":
        values = forms.values(request.form, forms.PROJECT_FIELDS)
        try:
            services.update_project(item, values, _actor())
        except Refusal as error:
            db.session.rollback()
            return render_template("tracking/edit.html", project=item, values=values,
                                   errors=error.field_messages()), error.status
        flash("项目信息已保存。", "success")
        return redirect(url_for("tracking.project", project_id=item.id))
    return render_template("tracking/edit.html", project=item, values=values, errors={})


@bp.post("/projects/<int:project_id>/inspections")
@require(MANAGE_PROJECTS)
def record_inspection(project_id):
    item = _project(project_id, write=True)
    return _act(item, lambda: services.record_inspection(item, forms.values(request.form, forms.INSPECTION_FIELDS),
                                                         forms.photos(request.files), _actor()),
                "视察记录已保存。", "inspection")


@bp.post("/inspections/<int:inspection_id>/proposals")
@require(MANAGE_PROJECTS)
def add_supervision_proposal(inspection_id):
    inspection, item = _owned(Inspection, inspection_id)
    return _act(item, lambda: services.add_supervision_proposal(inspection, request.form.get("text", ""), _actor()),
                "督办建议已添加。", f"proposal{inspection.id}")


@bp.post("/supervision/<int:proposal_id>/reply")
@require(UPDATE_OWN_PROJECTS)
def reply(proposal_id):
    proposal, item = _owned(SupervisionProposal, proposal_id)
    return _act(item, lambda: services.reply_to_proposal(proposal, current_principal(), request.form.get("reply", "")),
                "答复已提交。", f"reply{proposal.id}")


@bp.get("/photos/<int:photo_id>")
@require(READ_PROJECTS, UPDATE_OWN_PROJECTS)
def photo(photo_id):
    item, _ = _owned(ProjectPhoto, photo_id, write=False)
    return _photo_response(item, public=False)


@bp.get("/board")
@require(READ_PROJECTS)
def board():
    principal = current_principal()
    today = _today()
    body_ids = readable_body_ids(principal)
    delayed = services.delayed_projects(body_ids, today)
    bodies = {b.id: b for b in db.session.query(Body).filter(Body.id.in_(body_ids))}
    return render_template("tracking/board.html", delayed=delayed, bodies=bodies, today=today)


@bp.get("/generate")
@require(MANAGE_PROJECTS)
def generate():
    principal = current_principal()
    return render_template("tracking/generate.html", rows=services.result_ballots(principal.body_id))


@bp.post("/generate/<int:ballot_id>")
@require(MANAGE_PROJECTS)
def generate_from(ballot_id):
    ballot = db.session.get(Ballot, ballot_id)
    if ballot is None:
        raise NotFound()
    ensure_writable(current_principal(), ballot.body_id)
    try:
        created = services.projects_from_ballot(ballot, actor=_actor())
    except Refusal as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("tracking.generate"))
    if created:
        flash(f"已从“{ballot.title}”生成 {len(created)} 个督办项目。", "success")
    else:
        flash(f"“{ballot.title}”的当选项目均已列入督办，未新增。", "info")
    return redirect(url_for("tracking.projects"))
