"""Pages of tally sheets (计票单) and of the tellers' paper-ballot entry.

- `/sheets`: the ballots of the caller's bodies, with their sheets and paper entry;
- `/sheets/<id>` (`sheets.sheet`): the printable A4 sheet, linked from the
  session screens; files at /api/v1/ballots/<id>/tally.pdf|.xlsx|.csv;
- `/sheets/<id>/paper`: a teller issues paper ballots and enters them.
The old addresses /ballots/<id>/sheet and /ballots/<id>/paper redirect here (voting/moved.py).
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select

from voting.inputlimits import id_from, small_int
from voting.accounts.permissions import (CAST_VOTE, ENTER_PAPER, READ_TALLY, current_principal, has_permission,
                                         readable_body_ids, require)
from voting.accounts.views import add_dashboard_link
from voting.api.ballots import load_ballot
from voting.api.meetings import actor_of
from voting.ballots import paper
from voting.ballots import services as ballots
from voting.ballots.models import Ballot, BallotState
from voting.extensions import db, limiter
from voting.errors import Refusal
from voting.meetings.models import Deputy, Meeting
from voting.rules import OPTION_NAMES
from voting.qr import qr_svg
from voting.sheets import charts, qr
from voting.sheets.services import readable_view, signature_holds

bp = Blueprint("sheets", __name__, url_prefix="/sheets")

add_dashboard_link({"secretariat", "leader", "admin"}, "sheets.index", "计票单",
                   "已结束表决的计票单：打印、下载 PDF/Excel/CSV、扫码核验")
add_dashboard_link({"teller"}, "sheets.index", "计票单与纸质选票",
                   "为没有平板的代表发放并录入纸质选票；打印、下载、核验计票单")

LIST_LIMIT = 300


@bp.get("")
@require(READ_TALLY, ENTER_PAPER)
def index():
    """Ballots that left draft, newest first, in the bodies the caller may read."""
    principal = current_principal()
    rows = db.session.execute(
        select(Ballot, Meeting).join(Meeting, Meeting.id == Ballot.meeting_id)
        .where(Ballot.body_id.in_(readable_body_ids(principal)), Ballot.state != BallotState.draft.value,
               Ballot.rehearsal.is_(False))  # a rehearsal (试表决) is never archived
        .order_by(Ballot.id.desc()).limit(LIST_LIMIT)).all()
    may_enter = has_permission(principal, ENTER_PAPER)
    return render_template("sheets/index.html", rows=rows, may_enter=may_enter, own_body=principal.body_id)


@bp.get("/<int:bid>")
@require(READ_TALLY, CAST_VOTE)
def sheet(bid):
    ballot = load_ballot(str(bid))
    stored, view = readable_view(ballot, current_principal())
    url = qr.verify_url(ballot.id)
    return render_template("sheets/sheet.html", ballot=ballot, view=view, chart=charts.sheet_chart(view),
                           qr=qr_svg(url, "核验二维码"), verify_url=url, signed=signature_holds(stored))


# --- paper ballots ---------------------------------------------------------------------

def _teller_ballot(bid: int) -> Ballot:
    return load_ballot(str(bid), write=True)


def _back(ballot: Ballot, anchor: str = ""):
    return redirect(url_for("sheets.paper", bid=ballot.id, q=request.form.get("q") or None) + anchor)


def _choices_from_form(ballot: Ballot) -> dict:
    """item-<id> = choice; an item left blank counts as abstain, like an unmarked one."""
    choices = {}
    for item in ballot.items:
        value = request.form.get(f"item-{item.id}", "")
        if value:
            choices[str(item.id)] = value
    return choices


def _number(name: str, default: int | None = None):
    raw = (request.form.get(name) or "").strip()
    if not raw:
        return default
    return small_int(raw, 6) if small_int(raw, 6) is not None else raw  # the service refuses non-numbers


def _totals_from_form(ballot: Ballot) -> dict:
    options = ballots.accepted_options(ballot)
    counts = {}
    for item in ballot.items:
        counts[str(item.id)] = {}
        for option in options:
            value = _number(f"count-{item.id}-{option}")
            if value is not None:
                counts[str(item.id)][option] = value
    return counts


@require(ENTER_PAPER)
def paper_page(bid):
    ballot = _teller_ballot(bid)
    query = (request.args.get("q") or "").strip()[:40]
    waiting = ballots.deputies_not_voted(ballot) if ballot.state == BallotState.open.value else []
    if query:
        waiting = [d for d in waiting if query in d.name or query in d.number or query in (d.delegation or "")]
    options = [(option, OPTION_NAMES.get(option, option)) for option in ballots.accepted_options(ballot)]
    return render_template("sheets/paper.html", ballot=ballot, status=paper.paper_status(ballot),
                           progress=ballots.progress(ballot), waiting=waiting, holders=paper.paper_holders(ballot),
                           options=options, query=query, totals_enabled=paper.TOTALS_IN_TALLY)


# The page's endpoint is sheets.paper; the function has a longer name so it does not
# shadow the imported `paper` service module.
bp.add_url_rule("/<int:bid>/paper", endpoint="paper", view_func=paper_page)


@bp.post("/<int:bid>/paper/issue")
@require(ENTER_PAPER)
@limiter.limit("120/minute")
def paper_issue(bid):
    ballot = _teller_ballot(bid)
    raw = request.form.get("deputy_id", "")
    deputy = db.session.get(Deputy, id_from(raw)) if id_from(raw) is not None else None
    if deputy is None or deputy.meeting_id != ballot.meeting_id:
        flash("本次会议没有这名代表。", "error")
        return _back(ballot)
    try:
        paper.issue_paper_ballot(ballot, deputy, actor=actor_of(current_principal()))
    except Refusal as refused:
        flash(f"{deputy.name}：{refused.message}", "error")
    else:
        flash(f"已向 {deputy.name}（{deputy.number}）发放纸质选票；该代表不能再在平板上投票。", "success")
    return _back(ballot)


@bp.post("/<int:bid>/paper/ballots")
@require(ENTER_PAPER)
@limiter.limit("120/minute")
def paper_enter(bid):
    ballot = _teller_ballot(bid)
    try:
        invalid = paper.enter_ballot(ballot, _choices_from_form(ballot), actor=actor_of(current_principal()))
    except Refusal as refused:
        flash(f"未录入：{refused.message}", "error")
    else:
        entered = paper.paper_entered(ballot)
        if invalid:
            flash(f"已录入第 {entered} 张纸质选票：赞成超过应选数 {ballot.seats} 项，记为无效票（作废）。", "warning")
        else:
            flash(f"已录入第 {entered} 张纸质选票。", "success")
    return _back(ballot, "#enter")


@bp.post("/<int:bid>/paper/totals")
@require(ENTER_PAPER)
@limiter.limit("30/minute")
def paper_totals(bid):
    ballot = _teller_ballot(bid)
    try:
        totals = paper.enter_totals(ballot, ballots=_number("ballots"), invalid=_number("invalid", 0),
                                    counts=_totals_from_form(ballot), actor=actor_of(current_principal()))
    except Refusal as refused:
        flash(f"未录入：{refused.message}", "error")
    else:
        flash(f"已汇总录入 {totals['ballots']} 张纸质选票（其中无效 {totals['invalid']} 张）。", "success")
    return _back(ballot, "#totals")
