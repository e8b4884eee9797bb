"""Appraisal pages: the secretariat's campaigns (items, round-1 ballot, marking,
re-appraisal), officials and their ranking, the department's re-reports, the
deputies' anonymous comments and the year report."""

from flask import Blueprint, flash, redirect, render_template, request, send_file, url_for
from werkzeug.exceptions import NotFound

from voting.localtime import local_today
from voting.inputlimits import id_from, small_int
from voting.accounts.models import Body
from voting.accounts.permissions import (
    CAST_VOTE, MANAGE_APPRAISALS, READ_TALLY, SUBMIT_REREPORT, current_principal, ensure_readable,
    load_record, readable_bodies, reading_body, require,
)
from voting.accounts.views import add_dashboard_link, add_dashboard_panel
from voting.appraisals import forms, report, rereports as rereport_service, services
from voting.errors import Refusal
from voting.appraisals.models import AppraisalCampaign, AppraisalItem, Rereport, RereportAttachment
from voting.ballots.models import BallotState
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.pdf import pdf_download
from voting.textcells import csv_download, xlsx_download
from voting.rules import OPTION_NAMES

bp = Blueprint("appraisals", __name__, url_prefix="/appraisals")

add_dashboard_link({"secretariat", "leader", "admin"}, "appraisals.campaigns", "年终满意度测评",
                   "项目实施情况报告测评、述职评议、再办理再报告")
add_dashboard_link({"secretariat", "leader", "admin"}, "appraisals.year_report_current", "民生实事年度报告",
                   "票决、督办、测评到最终结果，一页看全年")
add_dashboard_link({"department"}, "appraisals.rereports", "再办理、再报告",
                   "本单位须再报告的测评项目，提交再报告与附件")

add_dashboard_panel({"department"}, "appraisals/_dashboard.html",
                    lambda: rereport_service.due_panel(current_principal(), local_today()))

READ = (MANAGE_APPRAISALS, READ_TALLY)


def _actor() -> str:
    return current_principal().username


def _campaign(cid: int, write: bool = False) -> AppraisalCampaign:
    return load_record(AppraisalCampaign, cid, write=write)


def _flash_error(error: Refusal) -> None:
    for message in (error.errors.values() if error.errors else [error.message]):
        if isinstance(message, list):
            for line in message:
                flash(line, "error")
        else:
            flash(str(message), "error")


# ---------------------------------------------------------------- campaigns

@bp.get("")
@require(*READ, SUBMIT_REREPORT)
def campaigns():
    if current_principal().role == "department":
        return redirect(url_for("appraisals.rereports"))
    body = reading_body()
    return render_template("appraisals/campaigns.html", body=body, bodies=readable_bodies(),
                           campaigns=services.campaigns_of(body.id), mode_labels=services.MODE_LABELS,
                           writable=current_principal().body_id == body.id
                           and current_principal().role == "secretariat")


@bp.get("/new")
@require(MANAGE_APPRAISALS)
def new_campaign():
    values = {**forms.DEFAULT_CAMPAIGN, "year": str(local_today().year)}
    return render_template("appraisals/new.html", values=values, errors={})


@bp.post("/new")
@require(MANAGE_APPRAISALS)
def create_campaign():
    values = forms.campaign_values(request.form)
    try:
        campaign = services.create_campaign(current_principal().body_id, values, _actor())
    except Refusal as error:
        return render_template("appraisals/new.html", values=values, errors=error.errors or {"_": error.message}), 400
    flash("测评已创建，请添加测评项目。", "success")
    return redirect(url_for("appraisals.campaign", cid=campaign.id))


@bp.get("/<int:cid>")
@require(*READ)
def campaign(cid):
    campaign = _campaign(cid)
    writable = current_principal().role == "secretariat" and current_principal().body_id == campaign.body_id
    chain = services.rounds(campaign)
    latest = chain[-1] if chain else None
    failing = services.failing_items(campaign, latest) if latest is not None and latest.results_available else []
    marked = {r.item_id: r for r in db.session.scalars(
        db.select(Rereport).where(Rereport.ballot_id == latest.id))} if latest is not None else {}
    rows = [(item, services.item_history(item)) for item in campaign.items]
    return render_template(
        "appraisals/campaign.html", campaign=campaign, writable=writable, rounds=chain, latest=latest,
        rows=rows, failing=failing, marked=marked, rule_text=services.describe_rule(campaign.rule),
        option_names=OPTION_NAMES, mode_labels=services.MODE_LABELS,
        projects=services.candidate_projects(campaign) if writable and campaign.ballot_id is None else [],
        officials=services.candidate_officials(campaign) if writable and campaign.ballot_id is None else [],
        meetings=services.meetings_for(campaign) if writable else [],
        problems=services.reappraisal_problems(campaign) if latest is not None else [],
        has_officials=any(item.kind == "official" for item in campaign.items),
        states={s.value: s.label for s in BallotState}, today=local_today())


@bp.post("/<int:cid>/items")
@require(MANAGE_APPRAISALS)
def add_items(cid):
    campaign = _campaign(cid, write=True)
    try:
        added = services.add_items(campaign, project_ids=forms.ids(request.form, "project"),
                                   official_ids=forms.ids(request.form, "official"), actor=_actor())
        flash(f"已添加 {len(added)} 个测评项目。", "success")
    except Refusal as error:
        _flash_error(error)
    return redirect(url_for("appraisals.campaign", cid=cid))


@bp.post("/<int:cid>/items/<int:iid>/remove")
@require(MANAGE_APPRAISALS)
def remove_item(cid, iid):
    campaign = _campaign(cid, write=True)
    item = db.session.get(AppraisalItem, iid)
    if item is None or item.campaign_id != campaign.id:
        raise NotFound()
    try:
        services.remove_item(item, _actor())
        flash("已移除。", "success")
    except Refusal as error:
        _flash_error(error)
    return redirect(url_for("appraisals.campaign", cid=cid))


def _chosen_meeting(campaign):
    """(what the form sent, the meeting it names): None unless a meeting of the campaign's body."""
    raw = request.form.get("meeting", "")
    meeting = db.session.get(Meeting, id_from(raw)) if id_from(raw) is not None else None
    return raw, (meeting if meeting is not None and meeting.body_id == campaign.body_id else None)


def _no_such_meeting(cid: int):
    flash("请选择本机构尚未结束的会议。", "error")
    return redirect(url_for("appraisals.campaign", cid=cid))


@bp.post("/<int:cid>/ballot")
@require(MANAGE_APPRAISALS)
def create_ballot(cid):
    campaign = _campaign(cid, write=True)
    _, meeting = _chosen_meeting(campaign)
    if meeting is None:
        return _no_such_meeting(cid)
    try:
        ballot = services.create_ballot(campaign, meeting, _actor())
    except Refusal as error:
        _flash_error(error)
        return redirect(url_for("appraisals.campaign", cid=cid))
    flash("第1轮测评表决已生成（草稿），可在会议中开始表决。", "success")
    return redirect(url_for("appraisals.campaign", cid=campaign.id, _anchor=f"ballot-{ballot.id}"))


@bp.post("/<int:cid>/rereports")
@require(MANAGE_APPRAISALS)
def mark_rereports(cid):
    campaign = _campaign(cid, write=True)
    try:
        created = services.mark_rereports(campaign, request.form.get("due_date", ""), _actor())
        flash(f"已标记 {len(created)} 个项目须再办理、再报告，责任单位可以提交再报告。", "success")
    except Refusal as error:
        _flash_error(error)
    return redirect(url_for("appraisals.campaign", cid=cid))


@bp.post("/<int:cid>/reappraisal")
@require(MANAGE_APPRAISALS)
def start_reappraisal(cid):
    campaign = _campaign(cid, write=True)
    raw, meeting = _chosen_meeting(campaign)
    if raw and meeting is None:
        return _no_such_meeting(cid)
    try:
        child = services.start_reappraisal(campaign, _actor(), meeting=meeting)
        flash(f"第{child.round}轮测评已生成（草稿），可在会议中开始表决。", "success")
    except Refusal as error:
        _flash_error(error)
    return redirect(url_for("appraisals.campaign", cid=cid))


@bp.get("/items/<int:iid>")
@require(*READ, SUBMIT_REREPORT)
def item(iid):
    item = db.session.get(AppraisalItem, iid)
    if item is None:
        raise NotFound()
    principal = current_principal()
    if principal.role == "department":
        if not services.may_see_item(principal, item):
            raise NotFound()
    else:
        ensure_readable(principal, item.body_id)
    show_comments = principal.role != "department" and item.kind == "official"
    return render_template("appraisals/item.html", item=item, campaign=item.campaign,
                           history=services.item_history(item), option_names=OPTION_NAMES,
                           comments=services.comments_of(item) if show_comments else None)


# ---------------------------------------------------------------- officials

@bp.get("/officials")
@require(*READ)
def officials():
    body = reading_body()
    return render_template("appraisals/officials.html", body=body, officials=services.officials_of(body.id),
                           problems=[], writable=current_principal().role == "secretariat"
                           and current_principal().body_id == body.id)


@bp.post("/officials/import")
@require(MANAGE_APPRAISALS)
def import_officials():
    principal = current_principal()
    upload = request.files.get("file")
    try:
        rows = services.parse_officials_upload(upload.filename if upload else "", upload.read() if upload else b"")
        created = services.import_officials(principal.body_id, rows, _actor())
    except Refusal as error:
        body = db.session.get(Body, principal.body_id)
        problems = [str(v) for _, v in sorted(error.errors.items(), key=lambda kv: int(kv[0]))] \
            if error.errors else [error.message]
        return render_template("appraisals/officials.html", body=body, officials=services.officials_of(body.id),
                               problems=problems, writable=True), 400
    flash(f"已导入 {len(created)} 名人员。", "success")
    return redirect(url_for("appraisals.officials"))


@bp.get("/officials/template.csv")
@require(MANAGE_APPRAISALS)
def officials_template():
    text = "姓名,职务,单位,任命日期\n张某某,局长,县教育局,2024-03-15\n"
    return csv_download(text, "officials.csv")


@bp.get("/<int:cid>/ranking")
@require(*READ)
def ranking(cid):
    campaign = _campaign(cid)
    rows = services.ranking(campaign)
    comments = {row.item.id: services.comments_of(row.item) for row in rows}
    return render_template("appraisals/ranking.html", campaign=campaign, rows=rows, comments=comments,
                           option_names=OPTION_NAMES, rule_text=services.describe_rule(campaign.rule))


@bp.get("/<int:cid>/ranking.xlsx")
@require(*READ)
def ranking_xlsx(cid):
    campaign = _campaign(cid)
    data = report.cadre_xlsx(campaign, services.ranking(campaign))
    return xlsx_download(data, f"appraisal-{campaign.id}-officials.xlsx")


# ---------------------------------------------------------------- re-reports (departments)

def _rereport(rid: int) -> Rereport:
    rereport = db.session.get(Rereport, rid)
    if rereport is None:
        raise NotFound()
    principal = current_principal()
    if principal.role == "department":
        if not services.may_see_item(principal, rereport.item):
            raise NotFound()
    else:
        ensure_readable(principal, rereport.body_id)
    return rereport


@bp.get("/rereports")
@require(SUBMIT_REREPORT)
def rereports():
    principal = current_principal()
    return render_template("appraisals/rereports.html", rereports=services.rereports_for_department(principal),
                           today=local_today(),
                           department=principal.department)


@bp.get("/rereports/<int:rid>")
@require(SUBMIT_REREPORT, *READ)
def rereport(rid):
    rereport = _rereport(rid)
    return render_template("appraisals/rereport.html", rereport=rereport, item=rereport.item, errors={},
                           text="", may_submit=current_principal().role == "department" and not rereport.submitted,
                           max_mb=services.attachment_max_bytes() // (1024 * 1024))


@bp.post("/rereports/<int:rid>")
@require(SUBMIT_REREPORT)
def submit_rereport(rid):
    rereport = _rereport(rid)
    text = request.form.get("text", "")
    try:
        services.submit_rereport(rereport, current_principal(), text, forms.files(request.files, "attachments"))
    except Refusal as error:
        if error.status != 400:
            raise
        return render_template("appraisals/rereport.html", rereport=rereport, item=rereport.item,
                               errors=error.errors, text=text, may_submit=True,
                               max_mb=services.attachment_max_bytes() // (1024 * 1024)), 400
    flash("再报告已提交。", "success")
    return redirect(url_for("appraisals.rereport", rid=rid))


@bp.get("/attachments/<int:aid>")
@require(SUBMIT_REREPORT, *READ)
def attachment(aid):
    attachment = db.session.get(RereportAttachment, aid)
    if attachment is None:
        raise NotFound()
    _rereport(attachment.rereport_id)
    path = services.attachment_path(attachment)
    if not path.is_file():
        raise NotFound()
    return send_file(path, mimetype=attachment.content_type, as_attachment=attachment.content_type == "application/pdf",
                     download_name=attachment.original_name)


# ---------------------------------------------------------------- deputies' comments

@bp.get("/comments")
@require(CAST_VOTE)
def comments():
    return render_template("appraisals/comments.html", campaigns=services.comment_targets(current_principal()))


@bp.post("/comments/<int:cid>")
@require(CAST_VOTE)
def add_comments(cid):
    campaign = db.session.get(AppraisalCampaign, cid)
    if campaign is None:
        raise NotFound()
    try:
        count = services.add_comments(current_principal(), campaign, forms.comments(request.form))
        flash(f"已匿名提交 {count} 条意见，谢谢。", "success")
    except Refusal as error:
        if error.status == 404:
            raise NotFound()
        _flash_error(error)
    return redirect(url_for("appraisals.comments"))


# ---------------------------------------------------------------- the year report

@bp.get("/report")
@require(*READ)
def year_report_current():
    """This year's report, or ?year=YYYY's; the other query parameters are kept."""
    asked = request.args.get("year", "")
    year = small_int(asked, 4) if small_int(asked, 4) is not None and len(asked) == 4 else local_today().year
    kept = {name: value for name, value in request.args.items() if name != "year"}
    return redirect(url_for("appraisals.year_report", year=year, **kept))


def _report(year: int):
    if not 2000 <= year <= 2100:
        raise NotFound()
    body = reading_body()
    return body, report.year_report(body.id, year, local_today())


@bp.get("/report/<int:year>")
@require(*READ)
def year_report(year):
    body, rows = _report(year)
    return render_template("appraisals/report.html", body=body, year=year, rows=rows, bodies=readable_bodies())


@bp.get("/report/<int:year>.xlsx")
@require(*READ)
def year_report_xlsx(year):
    body, rows = _report(year)
    return xlsx_download(report.report_xlsx(body.name, year, rows), f"year-report-{year}.xlsx")


@bp.get("/report/<int:year>.pdf")
@require(*READ)
def year_report_pdf(year):
    body, rows = _report(year)
    return pdf_download(lambda: report.report_pdf(body.name, year, rows), f"year-report-{year}.pdf")
