"""Browser pages of the sitting: the secretariat console (meetings, roster, login
cards, check-in, hall screen token), the leader view, the hall screen (大屏), the
deputy's QR card login and the tablet.

Views authorize, parse, call one service and render; the services are those of the
live voting core (voting.meetings.services, voting.ballots.services) plus
voting.meetings.{roster_files,cards} and voting.live.
"""
from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_user, logout_user

from voting.inputlimits import id_from, small_int
from voting.accounts.permissions import (
    MANAGE_MEETINGS,
    READ_MEETINGS,
    READ_TALLY,
    current_principal,
    has_permission,
    load_record,
    readable_body_ids,
    require,
)
from voting.accounts.views import add_dashboard_link
from voting.ballots import services as ballots
from voting.database import write_intent
from voting.extensions import db
from voting.live import board, screen
from voting.live.access import card_session_valid, remember_card
from voting.meetings import attendance, cards, display, services
from voting.qr import qr_svg
from voting.errors import RosterError, Refusal
from voting.meetings.models import RESULTS_SHOWN_LABELS, Deputy, Meeting
from voting.meetings.roster_files import parse_roster_upload, roster_template_xlsx
from voting.rules import OPTION_NAMES
from voting.tellers import ceremony as tellers

bp = Blueprint("meetings", __name__)

add_dashboard_link({"secretariat"}, "meetings.index", "会议与表决",
                   "新建会议、导入名单、打印登录卡、签到、表决的开始与结束、大屏")
add_dashboard_link({"leader", "teller", "admin"}, "meetings.index", "会议实况",
                   "出席与法定人数、表决进度、计票结果与图表")

QUORUM_PRESETS = {"2/3": {"fraction": "2/3", "inclusive": True}, "1/2": {"fraction": "1/2", "inclusive": False}}


def _actor() -> str:
    return f"user:{current_principal().id}"


def _can_manage(meeting: Meeting) -> bool:
    principal = current_principal()
    return has_permission(principal, MANAGE_MEETINGS) and principal.body_id == meeting.body_id


def _failed(error: Refusal, target: str):
    db.session.rollback()
    flash(error.message, "error")
    return redirect(target)


# --- meetings -----------------------------------------------------------------------------

@bp.get("/meetings")
@require(READ_MEETINGS)
def index():
    principal = current_principal()
    return render_template("meetings/index.html", rows=board.meetings_for(readable_body_ids(principal)),
                           can_create=has_permission(principal, MANAGE_MEETINGS), values={})


@bp.post("/meetings")
@require(MANAGE_MEETINGS)
def create():
    principal = current_principal()
    form = request.form
    year = form.get("year", "").strip()
    try:
        name = form.get("name", "").strip()
        if not name or len(name) > 200:
            raise Refusal(400, "bad_request", "请填写会议名称（不超过200字）。")
        meeting = services.create_meeting(
            principal.body_id, name, quorum=QUORUM_PRESETS.get(form.get("quorum"), QUORUM_PRESETS["2/3"]),
            year=small_int(year), live_counts=form.get("live_counts") == "1",
            results_shown=form.get("results_shown"), actor=_actor())
    except Refusal as error:
        db.session.rollback()
        return render_template("meetings/index.html", rows=board.meetings_for(readable_body_ids(principal)),
                               can_create=True, values=form, error=error.message), error.status
    flash(f"已新建会议“{meeting.name}”。下一步：导入代表名单。", "success")
    return redirect(url_for("meetings.roster", mid=meeting.id))


@bp.get("/meetings/<int:mid>")
@require(READ_MEETINGS)
def detail(mid):
    return render_template("meetings/detail.html", **_detail(load_record(Meeting, mid)))


@bp.get("/meetings/<int:mid>/board")
@require(READ_MEETINGS)
def detail_board(mid):
    """The live part of the meeting page, fetched again whenever the meeting changes."""
    return render_template("meetings/_board.html", **_detail(load_record(Meeting, mid)))


def _detail(meeting: Meeting) -> dict:
    """What the meeting page and its live part show."""
    stage = tellers.stage(tellers.ceremony_of(meeting))
    return {"meeting": meeting, "can_manage": _can_manage(meeting), "board": board.meeting_board(meeting),
            "teller_stage": stage, "teller_stage_text": tellers.STAGE_TEXT[stage],
            "results_shown_labels": RESULTS_SHOWN_LABELS}


@bp.post("/meetings/<int:mid>/results-shown")
@require(MANAGE_MEETINGS)
def results_shown(mid):
    meeting = load_record(Meeting, mid, write=True)
    try:
        display.set_results_shown(meeting, request.form.get("results_shown"), actor=_actor())
    except Refusal as error:
        return _failed(error, url_for("meetings.detail", mid=mid))
    flash(f"结果显示方式已设为：{RESULTS_SHOWN_LABELS[meeting.results_shown]}。", "success")
    return redirect(url_for("meetings.detail", mid=mid))


@bp.post("/meetings/<int:mid>/close")
@require(MANAGE_MEETINGS)
def close(mid):
    meeting = load_record(Meeting, mid, write=True)
    try:
        services.close_meeting(meeting, actor=_actor())
    except Refusal as error:
        return _failed(error, url_for("meetings.detail", mid=mid))
    flash("会议已结束，代表登录卡随之失效。", "success")
    return redirect(url_for("meetings.detail", mid=mid))


# --- the roster and login cards -------------------------------------------------------------

@bp.get("/meetings/<int:mid>/roster")
@require(READ_MEETINGS)
def roster(mid):
    meeting = load_record(Meeting, mid)
    return render_template("meetings/roster.html", meeting=meeting, can_manage=_can_manage(meeting),
                           rows=services.deputies_of(meeting), problems=[])


@bp.get("/meetings/roster-template.xlsx")
@require(MANAGE_MEETINGS)
def roster_template():
    from flask import Response

    return Response(roster_template_xlsx(), headers={
        "Content-Type": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "Content-Disposition": "attachment; filename=roster-template.xlsx; filename*=UTF-8''%E4%BB%A3%E8%A1%A8%E5%90%8D%E5%8D%95%E6%A8%A1%E6%9D%BF.xlsx"})


@bp.post("/meetings/<int:mid>/roster")
@require(MANAGE_MEETINGS)
def import_roster(mid):
    meeting = load_record(Meeting, mid, write=True)
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise RosterError([(1, "请选择要上传的名单文件（CSV 或 XLSX）")])
        issued = services.import_roster(meeting, parse_roster_upload(upload.filename, upload.read()), actor=_actor())
    except RosterError as error:
        db.session.rollback()
        return render_template("meetings/roster.html", meeting=meeting, can_manage=True,
                               rows=services.deputies_of(meeting), problems=error.problems), 400
    except Refusal as error:
        return _failed(error, url_for("meetings.roster", mid=mid))
    return render_template("meetings/cards.html", meeting=meeting, pages=cards.card_pages(issued),
                           notice=f"已导入 {len(issued)} 名代表，并为每人生成了登录卡。请现在打印："
                                  "登录卡只在此页显示，以后重新打印将作废这些卡。")


@bp.get("/meetings/<int:mid>/cards")
@require(MANAGE_MEETINGS)
def cards_confirm(mid):
    meeting = load_record(Meeting, mid, write=True)
    return render_template("meetings/cards_confirm.html", meeting=meeting,
                           count=services.seated_count(meeting.id), error=None)


@bp.post("/meetings/<int:mid>/cards")
@require(MANAGE_MEETINGS)
def print_cards(mid):
    meeting = load_record(Meeting, mid, write=True)
    if request.form.get("confirm") != "1":
        return render_template("meetings/cards_confirm.html", meeting=meeting, count=services.seated_count(meeting.id),
                               error="请勾选确认：重新打印会作废之前的全部登录卡。"), 400
    try:
        issued = cards.reissue_cards(meeting, actor=_actor())
    except Refusal as error:
        return _failed(error, url_for("meetings.roster", mid=mid))
    return render_template("meetings/cards.html", meeting=meeting, pages=cards.card_pages(issued),
                           notice=f"已为 {len(issued)} 名代表重新生成登录卡，之前的卡已全部作废。请现在打印。")


@bp.post("/meetings/<int:mid>/deputies/<int:did>/card")
@require(MANAGE_MEETINGS)
def reissue_card(mid, did):
    meeting = load_record(Meeting, mid, write=True)
    try:
        issued = cards.reissue_cards(meeting, [did], actor=_actor())
    except Refusal as error:
        return _failed(error, url_for("meetings.roster", mid=mid))
    deputy = issued[0][0]
    return render_template("meetings/cards.html", meeting=meeting, pages=cards.card_pages(issued),
                           notice=f"已为 {deputy.name}（{deputy.number}）补发登录卡（第 {deputy.card_version} 版），旧卡已作废。")


# --- check-in -----------------------------------------------------------------------------

@bp.get("/meetings/<int:mid>/checkin")
@require(READ_MEETINGS)
def checkin(mid):
    return render_template("meetings/checkin.html", **_checkin(load_record(Meeting, mid)))


@bp.get("/meetings/<int:mid>/checkin/board")
@require(READ_MEETINGS)
def checkin_board(mid):
    return render_template("meetings/_checkin_board.html", **_checkin(load_record(Meeting, mid)))


def _checkin(meeting: Meeting) -> dict:
    """What the check-in page and its live part show."""
    return {"meeting": meeting, "can_manage": _can_manage(meeting), "rows": services.deputies_of(meeting),
            "figures": attendance.day_figures(meeting), "statuses": attendance.statuses(meeting.id)}
def _checkin_target(mid: int, did: int) -> tuple:
    return load_record(Meeting, mid, write=True), did, url_for("meetings.checkin", mid=mid) + f"#deputy-{did}"


@bp.post("/meetings/<int:mid>/checkin/<int:did>")
@require(MANAGE_MEETINGS)
def mark_present(mid, did):
    meeting, did, target = _checkin_target(mid, did)
    try:
        deputy = attendance.deputy_in(meeting, did)
        figures, newly = services.check_in(meeting, deputy, actor=_actor(), by_staff=True)
    except Refusal as error:
        return _failed(error, target)
    if newly:
        flash(f"{deputy.name}（{deputy.number}）已签到。实到 {figures['present']} / 应到 {figures['total']}。", "success")
    return redirect(target)


@bp.post("/meetings/<int:mid>/checkin/<int:did>/out")
@require(MANAGE_MEETINGS)
def mark_left(mid, did):  # 签退: the deputy leaves mid-session
    return _mark_away(mid, did, lambda m, d: attendance.sign_out(m, d, actor=_actor(), by_staff=True), "已签退")


@bp.post("/meetings/<int:mid>/checkin/<int:did>/leave")
@require(MANAGE_MEETINGS)
def mark_leave(mid, did):  # 请假: the deputy is on leave
    return _mark_away(mid, did, lambda m, d: attendance.grant_leave(m, d, actor=_actor()), "已登记请假")


def _mark_away(mid: int, did: int, change, done: str):
    meeting, did, target = _checkin_target(mid, did)
    try:
        deputy = attendance.deputy_in(meeting, did)
        figures = change(meeting, deputy)
    except Refusal as error:
        return _failed(error, target)
    flash(f"{deputy.name}（{deputy.number}）{done}。实到 {figures['present']} / 应到 {figures['total']}。", "success")
    return redirect(target)


# --- the hall screen ------------------------------------------------------------------------

@bp.post("/meetings/<int:mid>/screen")
@require(MANAGE_MEETINGS)
def screen_token(mid):
    meeting = load_record(Meeting, mid, write=True)
    try:
        token = screen.rotate_screen_token(meeting, actor=_actor())
    except Refusal as error:
        return _failed(error, url_for("meetings.detail", mid=mid))
    url = cards.absolute_url("meetings.hall_screen", mid=meeting.id, token=token)
    return render_template("meetings/screen_token.html", meeting=meeting, url=url, qr=qr_svg(url, "大屏地址"))


@bp.post("/meetings/<int:mid>/screen/revoke")
@require(MANAGE_MEETINGS)
def revoke_screen(mid):
    meeting = load_record(Meeting, mid, write=True)
    screen.revoke_screen_token(meeting, actor=_actor())
    flash("大屏地址已作废。", "success")
    return redirect(url_for("meetings.detail", mid=mid))


def _screen_meeting(mid: int) -> Meeting:
    meeting = db.session.get(Meeting, mid)
    if not screen.screen_token_matches(meeting, request.args.get("token")):
        abort(404)
    return meeting


@bp.get("/screen/<int:mid>")
def hall_screen(mid):
    """大屏: no login, only the meeting's screen token."""
    meeting = _screen_meeting(mid)
    return render_template("screens/hall.html", meeting=meeting, token=request.args["token"],
                           board=board.hall_board(meeting))


@bp.get("/screen/<int:mid>/board")
def hall_screen_board(mid):
    meeting = _screen_meeting(mid)
    return render_template("screens/_hall_board.html", meeting=meeting, board=board.hall_board(meeting))


# --- the leader view --------------------------------------------------------------------------

@bp.get("/meetings/<int:mid>/leader")
@require(READ_TALLY)
def leader(mid):
    return render_template("meetings/leader.html", **_leader(load_record(Meeting, mid)))


@bp.get("/meetings/<int:mid>/leader/board")
@require(READ_TALLY)
def leader_board(mid):
    return render_template("meetings/_leader_board.html", **_leader(load_record(Meeting, mid)))


def _leader(meeting: Meeting) -> dict:
    """What the leader's page and its live part show: no drafts."""
    return {"meeting": meeting, "board": board.meeting_board(meeting, include_drafts=False)}


# --- the deputy's card and tablet ---------------------------------------------------------------

@bp.get("/card/<secret>")
def card_login(secret):
    """The URL a deputy's QR card encodes: sign in, check in, go to the tablet page.
    An unknown or revoked card gets a 404 page that says so (nothing else). No blanket
    per-address limit: a whole hall signs in from one address; unknown cards are counted
    in the database instead (services.deputy_for_card)."""
    write_intent.set(True)  # this GET writes (check-in): take the write lock up front on SQLite
    deputy = services.deputy_for_card(secret, source=request.remote_addr or "")
    if deputy is None:
        return render_template("errors/error.html", code=404, title="登录卡无效",
                               message="这张登录卡无效或已作废，请向大会秘书处领取新卡。"), 404
    login_user(deputy)
    remember_card(deputy)
    services.check_in(deputy.meeting, deputy, actor=f"deputy:{deputy.id}")
    return redirect(url_for("meetings.tablet"))


@bp.get("/tablet")
def tablet():
    """The deputy's voting screen. The page is a shell; static/js/tablet.js follows the
    meeting live and shows the open ballot by itself."""
    if not current_user.is_authenticated and str(session.get("_user_id", "")).startswith("d:"):
        # a deputy's session that the loader refused: its card was reissued, or its meeting closed
        raw_id = str(session.get("_user_id"))[2:]
        former = db.session.get(Deputy, id_from(raw_id)) if id_from(raw_id) is not None else None
        logout_user()
        if former is not None and former.is_active:
            return render_template("errors/error.html", code=403, title="登录卡已作废",
                                   message="这台平板使用的登录卡已被补发的新卡取代，请扫描新的登录卡。"), 403
        return render_template("errors/error.html", code=403, title="会议已结束",
                               message="本次会议已经结束，登录卡不再有效。"), 403
    if not current_user.is_authenticated or not getattr(current_user, "is_deputy", False):
        return redirect(url_for("accounts.login", next=request.path))
    deputy = current_user._get_current_object()
    if not card_session_valid(deputy):
        logout_user()
        return render_template("errors/error.html", code=403, title="登录卡已作废",
                               message="这台平板使用的登录卡已被补发的新卡取代，请扫描新的登录卡。"), 403
    rows = [{"ballot": b, "voted": ballots.has_voted(b, deputy)} for b in ballots.ballots_for_deputy(deputy)]
    return render_template("meetings/tablet.html", deputy=deputy, meeting=deputy.meeting, rows=rows,
                           option_names=OPTION_NAMES, comments_url=_comments_url(deputy),
                           status=attendance.status_of(deputy.meeting_id, deputy.id))


@bp.get("/tablet-sw.js")
def tablet_service_worker():
    """The tablet's service worker (static/js/tablet-sw.js), served from the root so that
    its scope covers /tablet and the API it reads. Public like any static file; always
    revalidated, so a new version reaches every tablet at its next load."""
    response = current_app.send_static_file("js/tablet-sw.js")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Service-Worker-Allowed"] = "/"
    return response


def _comments_url(deputy: Deputy) -> str | None:
    """The anonymous comments page (述职评议意见), when the deputy's meeting holds an
    officials' appraisal whose ballot is in it; otherwise None (no link)."""
    from voting.appraisals.services import comment_targets  # appraisals build on meetings

    return url_for("appraisals.comments") if comment_targets(deputy) else None
