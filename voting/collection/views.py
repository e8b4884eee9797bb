"""Collection staff pages at /collection: screening, stations and deputy codes, the
candidate list and statistics. The public intake is voting/collection/intake_pages.py."""

from flask import (
    Blueprint, abort, flash, jsonify, redirect, render_template, request, send_file, url_for,
)

from voting.localtime import local_today
from voting.inputlimits import id_from, small_int
from voting.accounts.models import Body
from voting.accounts.permissions import (
    MANAGE_MEETINGS, MANAGE_PROJECTS, READ_PROJECTS, READ_PROPOSALS, SCREEN_PROPOSALS,
    SUBMIT_PROPOSALS, current_principal, has_permission, load_record, readable_bodies, reading_body, require,
)
from voting.accounts.views import add_dashboard_link
from voting.errors import Refusal, invalid
from voting.collection import candidates as candidate_list, charts, exports, services
from voting.collection.models import (
    CATEGORIES, SOURCES, STATUS_LABELS, TRANSITIONS, Candidate, Proposal, ProposalPhoto,
)
from voting.collection import intake_pages, station_pages
from voting.collection.intake_pages import _submit_from_form
from voting.extensions import db
from voting.pdf import pdf_download
from voting.textcells import xlsx_download

bp = Blueprint("collection", __name__, url_prefix="/collection")
# One domain, one blueprint: the public intake (/collection/intake) and the stations'
# pages are its children, endpoints `collection.intake.*` and `collection.stations.*`.
bp.register_blueprint(intake_pages.bp)
bp.register_blueprint(station_pages.bp)

PAGE_SIZE = 50

add_dashboard_link({"secretariat", "leader", "admin"}, "collection.proposals", "征集建议",
                   "群众、代表、联络站提交的民生实事建议：筛选、合并、答复")
add_dashboard_link({"secretariat", "station"}, "collection.staff_intake", "录入建议",
                   "代为录入代表、联络站或部门提出的建议")
add_dashboard_link({"secretariat", "leader", "admin", "teller", "station", "department"}, "collection.stations.stations",
                   "联络站与二维码", "代表联络站、挂牌亮码、可打印的二维码海报")
add_dashboard_link({"secretariat", "leader", "admin"}, "collection.candidates", "候选项目清单",
                   "年度候选项目：预算、责任单位、导出，并生成票决表决")
add_dashboard_link({"secretariat", "leader", "admin"}, "collection.stats", "征集统计",
                   "按联络站、类别、乡镇统计建议数量")


def _actor() -> str:
    return current_principal().username


# ---------------------------------------------------------------- staff: proposals

@bp.get("/")
@require(READ_PROPOSALS)
def home():
    return redirect(url_for("collection.proposals"))


def _filters(body_id: int) -> dict:
    args = request.args
    station = args.get("station", "")
    filters = {
        "station": id_from(station),
        "category": args.get("category") if args.get("category") in CATEGORIES else None,
        "township": args.get("township", "").strip()[:60] or None,
        "status": args.get("status") if args.get("status") in STATUS_LABELS else None,
        "q": args.get("q", "").strip()[:60] or None,
    }
    return filters


@bp.get("/proposals")
@require(READ_PROPOSALS)
def proposals():
    body = reading_body()
    filters = _filters(body.id)
    page = max(id_from(request.args.get("page", "1")) or 1, 1)
    rows, total = services.proposal_page(services.proposal_query(body.id, filters), page, PAGE_SIZE,
                                         searching=bool(filters.get("q")))
    return render_template("collection/proposals.html", body=body, bodies=readable_bodies(), rows=rows,
                           filters=filters, total=total, page=page, pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
                           stations=services.stations_of(body.id), townships=services.townships_of(body.id),
                           categories=CATEGORIES, statuses=STATUS_LABELS, args=request.args)


@bp.get("/proposals/<int:proposal_id>")
@require(READ_PROPOSALS)
def proposal(proposal_id):
    return _proposal_page(load_record(Proposal, proposal_id))


def _proposal_page(item: Proposal, errors: dict | None = None, status: int = 200):
    principal = current_principal()
    can_screen = has_permission(principal, SCREEN_PROPOSALS) and principal.body_id == item.body_id
    return render_template("collection/proposal.html", p=item, similar=services.similar_proposals(item),
                           can_screen=can_screen, statuses=STATUS_LABELS,
                           next_statuses=[s for s in services.PLAIN_STATUSES
                                          if s in TRANSITIONS[item.status] and item.status != "candidate"],
                           can_merge="merged" in TRANSITIONS[item.status],
                           can_decline="declined" in TRANSITIONS[item.status],
                           errors=errors or {}, values=dict(request.form) if errors else {}), status


def _screening_action(proposal_id: int, action):
    """Run one screening operation; on refusal show the proposal again with the reason."""
    item = load_record(Proposal, proposal_id, write=True)
    try:
        action(item)
    except Refusal as error:
        return _proposal_page(db.session.get(Proposal, proposal_id), error.field_messages(), error.status)
    return redirect(url_for("collection.proposal", proposal_id=proposal_id))


@bp.post("/proposals/<int:proposal_id>/status")
@require(SCREEN_PROPOSALS)
def change_status(proposal_id):
    def act(item):
        services.change_status(item, request.form.get("status", ""), _actor(), request.form.get("note", ""))
        flash(f"状态已改为“{STATUS_LABELS[item.status]}”。", "success")

    return _screening_action(proposal_id, act)


@bp.post("/proposals/<int:proposal_id>/decline")
@require(SCREEN_PROPOSALS)
def decline(proposal_id):
    def act(item):
        services.decline(item, request.form.get("reason", ""), _actor())
        flash("已标记为不予采纳。", "success")

    return _screening_action(proposal_id, act)


@bp.post("/proposals/<int:proposal_id>/merge")
@require(SCREEN_PROPOSALS)
def merge(proposal_id):
    def act(item):
        target = _merge_target(request.form.get("target", ""), item.body_id)
        services.merge(item, target, _actor())
        flash(f"已合并至 #{target.id}“{target.title}”。", "success")

    return _screening_action(proposal_id, act)


def _merge_target(raw: str, body_id: int) -> Proposal:
    raw = raw.strip().lstrip("#")
    target = db.session.get(Proposal, id_from(raw)) if id_from(raw) is not None else services.find_by_tracking_code(raw)
    if target is None or target.body_id != body_id:
        raise invalid({"target": "请填写要合并到的建议编号（如 12）或查询码。"}, "invalid_target")
    return target


@bp.post("/proposals/<int:proposal_id>/reply")
@require(SCREEN_PROPOSALS)
def reply(proposal_id):
    def act(item):
        services.set_reply(item, request.form.get("reply", ""), _actor())
        flash("答复已保存，提出人可凭查询码看到。", "success")

    return _screening_action(proposal_id, act)


@bp.get("/photos/<int:photo_id>")
@require(READ_PROPOSALS)
def photo(photo_id):
    item = load_record(ProposalPhoto, photo_id)
    path = services.photo_path(item)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=item.content_type, as_attachment=False,
                         download_name=f"proposal-{item.proposal_id}-{item.id}.{path.suffix.lstrip('.')}",
                         max_age=0)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/proposals/similar")
@require(SUBMIT_PROPOSALS)
def staff_similar():
    """The staff entry form's hints: the same as the public form's, for the caller's body."""
    query = request.args.get("q", "")[:200]
    return jsonify({"similar": [{"title": t} for t in services.similar_titles(current_principal().body_id, query)]})


@bp.route("/proposals/new", methods=["GET", "POST"])
@require(SUBMIT_PROPOSALS)
def staff_intake():
    principal = current_principal()
    stations = services.stations_of(principal.body_id)
    values, errors, status = {"source": "station" if principal.role == "station" else "deputy"}, {}, 200
    if principal.role == "station" and principal.station_code:
        values["station"] = principal.station_code
    if request.method == "POST":
        values = dict(request.form)
        source = request.form.get("source", "")
        station = services.station_by_code(request.form.get("station", ""))
        if station is not None and station.body_id != principal.body_id:
            station = None
        try:
            if source not in SOURCES or source == "public":
                raise invalid({"source": "请选择来源：代表、联络站或部门。"}, "invalid_proposal")
            _, item = _submit_from_form(station, None, source=source, actor=_actor(), body_id=principal.body_id,
                                        proposer_allowed=True)
        except Refusal as error:
            errors, status = error.field_messages(), error.status
        else:
            flash(f"建议已录入，查询码 {item.tracking_code}。", "success")
            if has_permission(principal, READ_PROPOSALS):
                return redirect(url_for("collection.proposal", proposal_id=item.id))
            return redirect(url_for("collection.staff_intake"))
    return render_template("collection/staff_intake.html", station_options=[(s.code, s.name) for s in stations],
                           category_options=[(c, c) for c in CATEGORIES],
                           sources=[(k, v) for k, v in SOURCES.items() if k != "public"], values=values,
                           errors=errors, max_photos=services.MAX_PHOTOS), status


# ---------------------------------------------------------------- staff: candidates

def _year() -> int:
    raw = request.args.get("year", "")
    if 2000 <= (small_int(raw) or 0) <= 2100:
        return small_int(raw)
    return local_today().year


@bp.get("/candidates")
@require(READ_PROJECTS)
def candidates():
    return _candidates_page(reading_body(), _year())


def _shortlist_query() -> str:
    return (request.args.get("shortlist_q") or "").strip()[:60]


def _candidates_page(body: Body, year: int, values=None, errors=None, status=200):
    principal = current_principal()
    rows = services.candidates_of(body.id, year)
    can_manage = has_permission(principal, MANAGE_PROJECTS) and principal.body_id == body.id
    return render_template("collection/candidates.html", body=body, bodies=readable_bodies(), year=year,
                           years=sorted(set(services.candidate_years(body.id)) | {year}, reverse=True),
                           rows=rows, total=services.total_budget(rows), can_manage=can_manage,
                           shortlisted=services.shortlisted_proposals(body.id, _shortlist_query()) if can_manage else [],
                           shortlisted_total=services.shortlisted_count(body.id) if can_manage else 0,
                           shortlist_query=_shortlist_query(), shortlist_shown=candidate_list.SHORTLIST_SHOWN,
                           values=values or {"year": year}, errors=errors or {},
                           selected={id_from(i) for i in request.form.getlist("proposal_ids") if id_from(i) is not None}), status


@bp.post("/candidates")
@require(MANAGE_PROJECTS)
def create_candidate():
    principal = current_principal()
    values = dict(request.form)
    try:
        candidate = services.create_candidate(principal.body_id, values, _actor(),
                                              request.form.getlist("proposal_ids"))
    except Refusal as error:
        year = small_int(values.get("year")) if 2000 <= (small_int(values.get("year")) or 0) <= 2100 \
            else local_today().year
        return _candidates_page(db.session.get(Body, principal.body_id), year, values, error.field_messages(),
                                error.status)
    flash(f"已加入候选项目“{candidate.title}”。", "success")
    return redirect(url_for("collection.candidates", year=candidate.year))


@bp.route("/candidates/<int:candidate_id>/edit", methods=["GET", "POST"])
@require(MANAGE_PROJECTS)
def edit_candidate(candidate_id):
    candidate = load_record(Candidate, candidate_id, write=True)
    values = {"year": candidate.year, "title": candidate.title, "description": candidate.description,
              "budget": candidate.budget, "department": candidate.department,
              "planned_completion": candidate.planned_completion.isoformat() if candidate.planned_completion else ""}
    errors, status = {}, 200
    linked = {p.id for p in candidate.proposals}
    if request.method == "POST":
        values = dict(request.form)
        try:
            services.update_candidate(candidate, values, _actor(), request.form.getlist("proposal_ids"))
        except Refusal as error:
            errors, status = error.field_messages(), error.status
        else:
            flash("候选项目已保存。", "success")
            return redirect(url_for("collection.candidates", year=candidate.year))
    choices = list(candidate.proposals) + [p for p in services.shortlisted_proposals(candidate.body_id,
                                                                                      _shortlist_query())
                                           if p.id not in linked]
    return render_template("collection/candidate_form.html", candidate=candidate, values=values, errors=errors,
                           choices=choices, linked=linked), status


@bp.post("/candidates/<int:candidate_id>/delete")
@require(MANAGE_PROJECTS)
def delete_candidate(candidate_id):
    candidate = load_record(Candidate, candidate_id, write=True)
    year = candidate.year
    try:
        services.delete_candidate(candidate, _actor())
    except Refusal as error:
        flash(error.message, "error")
        return redirect(url_for("collection.candidates", year=year))
    flash("候选项目已删除，相关建议恢复为“拟列为候选”。", "success")
    return redirect(url_for("collection.candidates", year=year))


def _export_rows():
    body = reading_body()
    year = _year()
    return body, year, services.candidates_of(body.id, year)


@bp.get("/candidates/export.xlsx")
@require(READ_PROJECTS)
def export_xlsx():
    body, year, rows = _export_rows()
    data = exports.candidates_xlsx(body.name, year, rows)
    return xlsx_download(data, f"candidates-{year}.xlsx")


@bp.get("/candidates/export.pdf")
@require(READ_PROJECTS)
def export_pdf():
    body, year, rows = _export_rows()
    return pdf_download(lambda: exports.candidates_pdf(body.name, year, rows), f"candidates-{year}.pdf")


# ---------------------------------------------------------------- staff: statistics

@bp.get("/stats")
@require(READ_PROPOSALS)
def stats():
    body = reading_body()
    data = services.statistics(body.id)
    titles = {"station": "按联络站", "category": "按类别", "township": "按乡镇（街道）", "status": "按办理状态"}
    sections = [{"key": key, "title": titles[key], "rows": rows, "chart": charts.bar_chart(rows, titles[key])}
                for key, rows in data.items()]
    total = sum(n for _, n in data["status"])
    return render_template("collection/stats.html", body=body, bodies=readable_bodies(), sections=sections,
                           total=total)


# ---------------------------------------------------------------- staff: candidates -> ballot

@bp.route("/candidates/ballot", methods=["GET", "POST"])
@require(MANAGE_PROJECTS)
def candidates_ballot():
    """One step from the year's candidate list to a draft selection ballot."""
    principal = current_principal()
    if not has_permission(principal, MANAGE_MEETINGS):
        abort(403)
    year = small_int(request.form.get("year")) or _year()
    rows = [c for c in services.candidates_of(principal.body_id, year) if c.state == "draft"]
    meetings = services.open_meetings(principal.body_id)
    default_meeting = next((m for m in meetings if m.year == year), meetings[0] if meetings else None)
    values = {"year": year, "title": f"{year} 年民生实事项目票决", "seats": max(len(rows) - 2, 1) if rows else "",
              "meeting_id": default_meeting.id if default_meeting else "", "secret": "1"}
    errors, no_margin, status = {}, None, 200
    if request.method == "POST":
        values = dict(request.form)
        try:
            ballot = services.candidates_to_ballot(
                principal.body_id, year, meeting_id=values.get("meeting_id"), title=values.get("title"),
                seats=values.get("seats"), secret=values.get("secret") == "1",
                confirm_no_margin=values.get("confirm_no_margin") == "1", actor=_actor())
        except services.NoMargin as warning:
            no_margin, status = warning, warning.status
        except Refusal as error:
            errors, status = error.field_messages(), error.status
        else:
            flash(f"已生成项目票决“{ballot.title}”（表决编号 {ballot.id}，{len(rows)} 个候选项目），"
                  "请核对后开启。", "success")
            return redirect(url_for("ballots.detail", bid=ballot.id))
        rows = [c for c in services.candidates_of(principal.body_id, year) if c.state == "draft"]
    return render_template("collection/ballot_form.html", year=year, rows=rows, meetings=meetings, values=values,
                           errors=errors, no_margin=no_margin), status
