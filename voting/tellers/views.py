"""The tellers' pages: /tellers/<mid> (the secretariat names them; each teller's own
browser is its device in the key ceremony and the count) and /tellers/boards/<bid>
(the public board, where a deputy finds its receipt)."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from sqlalchemy import select
from werkzeug.exceptions import NotFound

from voting.accounts.models import User
from voting.accounts.permissions import (HOLD_KEY_SHARE, MANAGE_MEETINGS, READ_MEETINGS, current_principal,
                                         has_permission, load_record, require)
from voting.ballots.models import Ballot, BallotState
from voting.errors import Refusal
from voting.extensions import db, limiter
from voting.inputlimits import small_int
from voting.meetings.models import Meeting
from voting.rules import OPTION_NAMES
from voting.tellers import board, ceremony

bp = Blueprint("tellers", __name__, url_prefix="/tellers")


@bp.get("/<int:mid>")
@require(READ_MEETINGS)
def ceremony_page(mid):
    meeting = load_record(Meeting, mid)
    principal = current_principal()
    can_name = has_permission(principal, MANAGE_MEETINGS) and principal.body_id == meeting.body_id
    candidates = list(db.session.scalars(select(User).where(User.body_id == meeting.body_id, User.role == "teller",
                                                            User.active.is_(True)).order_by(User.id))) if can_name else []
    return render_template("tellers/ceremony.html", meeting=meeting, state=ceremony.ceremony_json(meeting),
                           can_name=can_name, candidates=candidates,
                           is_device=has_permission(principal, HOLD_KEY_SHARE),
                           position=ceremony.position_of(meeting, principal))


@bp.post("/<int:mid>")
@require(MANAGE_MEETINGS)
def name(mid):
    meeting = load_record(Meeting, mid, write=True)
    try:
        ceremony.name_tellers(meeting, request.form.getlist("tellers"), small_int(request.form.get("threshold")),
                              actor=f"user:{current_principal().id}")
    except Refusal as error:
        db.session.rollback()
        flash(error.message, "error")
    else:
        flash("已指定监票人。请各位监票人在自己的设备上打开本页，依次完成“登记本机、分发份额、核对确认”。", "success")
    return redirect(url_for("tellers.ceremony_page", mid=mid))


@bp.get("/boards/<int:bid>")
@limiter.limit("600/minute")  # a hall of deputies behind one address checks its receipts here
def board_page(bid):
    """Public once published: the ballot's result, its trackers, and a search for a receipt code."""
    ballot = db.session.get(Ballot, bid)
    if ballot is None:
        raise NotFound()
    published = ballot.state == BallotState.published.value and ballot.with_tellers
    return render_template("tellers/board.html", ballot=ballot, board=board.board_summary(ballot) if published else None,
                           published=published, code=(request.args.get("code") or "").strip().upper()[:19],
                           option_names=OPTION_NAMES)
