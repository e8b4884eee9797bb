"""Browser pages of ballots for the secretariat console: the ballot editor, the
ballot page (open / close / publish with confirmation, progress, who has not voted
yet, the result, runoff and re-appraisal), and the receipt QR code of the tablet."""
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, url_for
from werkzeug.exceptions import NotFound

from voting.accounts.permissions import (
    MANAGE_MEETINGS,
    READ_MEETINGS,
    current_principal,
    has_permission,
    load_record,
    require,
)
from voting.ballots import editor, receipts, services, timers
from voting.ballots.models import KIND_LABELS, Ballot
from voting.extensions import db
from voting.live import board
from voting.inputlimits import id_from
from voting.qr import absolute_url, qr_svg
from voting.errors import Refusal
from voting.meetings.models import Meeting
from voting.rules import OPTION_NAMES

bp = Blueprint("ballots", __name__)

RECEIPT_CODE = receipts.RECEIPT_CODE
ACTIONS = {
    "open": (services.open_ballot, "表决已开始，代表平板将自动显示选票。"),
    "close": (services.close_ballot, "表决已结束，计票单已生成并签名。"),
    "publish": (services.publish_ballot, "结果已公布，代表可以查看计票单和回执码清单。"),
}


def _actor() -> str:
    return f"user:{current_principal().id}"


def _ballot(bid: int, *, write: bool = False) -> Ballot:
    return load_record(Ballot, bid, write=write)


def _meeting(mid: int) -> Meeting:
    return load_record(Meeting, mid, write=True)


def _can_manage(ballot: Ballot) -> bool:
    principal = current_principal()
    return has_permission(principal, MANAGE_MEETINGS) and principal.body_id == ballot.body_id


def _editor_context(meeting: Meeting, values, error: str | None = None) -> dict:
    try:
        preview = editor.rule_preview(values)
    except Refusal as problem:
        preview = problem.message
    return {"meeting": meeting, "values": values, "error": error, "preview": preview,
            "kinds": editor.KIND_CHOICES, "modes": editor.MODE_CHOICES, "bases": editor.BASE_CHOICES,
            "appraisal_options": [(o, OPTION_NAMES[o]) for o in editor.APPRAISAL_OPTIONS],
            "default_options": editor.DEFAULT_APPRAISAL_CHOICE}


# --- the editor ------------------------------------------------------------------------------

class _Defaults(dict):
    """Form defaults that behave like request.form for the editor helpers."""

    def getlist(self, key):
        value = self.get(key, [])
        return value if isinstance(value, list) else [value]


@bp.get("/meetings/<int:mid>/ballots/new")
@require(MANAGE_MEETINGS)
def new(mid):
    meeting = _meeting(mid)
    values = _Defaults(kind=request.args.get("kind", "selection"), secret="1", mode="rate",
                       options=list(editor.DEFAULT_APPRAISAL_CHOICE))
    return render_template("ballots/edit.html", **_editor_context(meeting, values))


@bp.post("/meetings/<int:mid>/ballots/new")
@require(MANAGE_MEETINGS)
def create(mid):
    meeting = _meeting(mid)
    try:
        ballot = services.create_ballot(meeting, **editor.ballot_from_form(request.form), actor=_actor())
    except Refusal as error:
        db.session.rollback()
        return render_template("ballots/edit.html", **_editor_context(meeting, request.form, error.message)), 400
    flash(f"已新建{KIND_LABELS[ballot.kind]}“{ballot.title}”（草稿）。核对无误后即可开始表决。", "success")
    return redirect(url_for("ballots.detail", bid=ballot.id))


@bp.get("/ballots/rule-text")
@require(MANAGE_MEETINGS)
def rule_text():
    """The editor's live preview: the rule the form describes, in plain Chinese."""
    try:
        return jsonify({"text": editor.rule_preview(request.args)})
    except Refusal as error:
        return jsonify({"error": error.message}), 400


# --- the ballot page --------------------------------------------------------------------------

@bp.get("/ballots/<int:bid>")
@require(READ_MEETINGS)
def detail(bid):
    ballot = _ballot(bid)
    can_manage = _can_manage(ballot)
    return render_template("ballots/detail.html", ballot=ballot, can_manage=can_manage,
                           board=board.ballot_board(ballot, with_not_voted=can_manage),
                           kind_label=KIND_LABELS[ballot.kind])


@bp.get("/ballots/<int:bid>/board")
@require(READ_MEETINGS)
def detail_board(bid):
    ballot = _ballot(bid)
    can_manage = _can_manage(ballot)
    return render_template("ballots/_board.html", ballot=ballot, can_manage=can_manage,
                           board=board.ballot_board(ballot, with_not_voted=can_manage))


@bp.post("/ballots/<int:bid>/<any(open, close, publish):action>")
@require(MANAGE_MEETINGS)
def act(bid, action):
    if action == "close":
        services.check_before_close(_ballot(bid, write=True).id)  # a ballot this user may manage; commits
    ballot = _ballot(bid, write=True)
    service, done = ACTIONS[action]
    try:
        service(ballot, actor=_actor())
    except Refusal as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash(done, "success")
    return redirect(url_for("ballots.detail", bid=bid))


@bp.post("/ballots/<int:bid>/<any(runoff, reappraisal):action>")
@require(MANAGE_MEETINGS)
def next_round(bid, action):
    ballot = _ballot(bid, write=True)
    try:
        if action == "runoff":
            child = services.start_runoff(ballot, actor=_actor())
        else:
            from voting.appraisals.services import reappraise  # appraisals build on ballots

            child = reappraise(ballot, _actor())
    except Refusal as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("ballots.detail", bid=bid))
    flash(f"已新建第 {child.round} 轮“{child.title}”（草稿），共 {len(child.items)} 个项目。", "success")
    return redirect(url_for("ballots.detail", bid=child.id))


# --- the meeting's choice for timed ballots ----------------------------------------------------

@bp.post("/meetings/<int:mid>/timer-expiry")
@require(MANAGE_MEETINGS)
def timer_expiry(mid):
    meeting = _meeting(mid)
    try:
        timers.set_timer_expiry(meeting, request.form.get("timer_expiry", ""), actor=_actor())
    except Refusal as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("meetings.detail", mid=mid))
    flash(f"已设定：限时表决{timers.EXPIRY_CHOICES[meeting.timer_expiry]}。", "success")
    return redirect(url_for("meetings.detail", mid=mid))


# --- the tablet's receipt QR code and the public receipt check -------------------------------

@bp.get("/receipt-qr.svg")
def receipt_qr():
    """The receipt's QR image: with `ballot`, the address of the receipt check page for
    this code (a phone that scans it lands on the answer); without, the code alone. It
    needs no login, the tablet fetches it without cookies, and access logs leave out
    query strings: nothing links it to a deputy."""
    code = request.args.get("code", "")
    if not RECEIPT_CODE.match(code):
        raise NotFound()
    ballot_id = id_from(request.args.get("ballot", ""))
    data = absolute_url("ballots.receipt_check", ballot=ballot_id, code=code) if ballot_id else code
    response = Response(qr_svg(data, f"回执码 {code}"), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/receipt-check")
def receipt_check():
    """Public: is this receipt code in the ballot's published list? Typed or scanned."""
    code, ballot_id = request.args.get("code", ""), id_from(request.args.get("ballot", ""))
    answer, found_in, problem = None, None, None
    if code.strip():
        try:
            if ballot_id:
                answer = receipts.check(ballot_id, code)
            else:
                found_in = receipts.find_anywhere(code)
        except Refusal as refusal:
            problem = refusal
    return render_template("ballots/receipt_check.html", code=code, ballot_id=ballot_id, answer=answer,
                           found_in=found_in, problem=problem), (problem.status if problem else 200)
