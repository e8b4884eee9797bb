"""Browser routes of the sitting: the QR login card and a minimal tablet page.

The full tablet UI (voting screens) is built on these routes; keep their names
`meetings.card_login` and `meetings.tablet`.
"""
from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user

from voting.ballots import services as ballots
from voting.database import write_intent
from voting.extensions import limiter
from voting.meetings import services

bp = Blueprint("meetings", __name__)


@bp.get("/card/<secret>")
@limiter.limit("20/minute")
def card_login(secret):
    """The URL a deputy's QR card encodes: sign in, check in, go to the tablet page.
    An unknown or revoked card gets a 404 page that says so (nothing else)."""
    write_intent.set(True)  # this GET writes (check-in): take the write lock up front on SQLite
    deputy = services.deputy_for_card(secret, source=request.remote_addr or "")
    if deputy is None:
        return render_template("errors/error.html", code=404, title="登录卡无效",
                               message="这张登录卡无效或已作废，请向大会秘书处领取新卡。"), 404
    login_user(deputy)
    services.check_in(deputy.meeting, deputy, actor=f"deputy:{deputy.id}")
    return redirect(url_for("meetings.tablet"))


@bp.get("/tablet")
def tablet():
    """The deputy's page: the meeting and the ballots it may vote on."""
    if not current_user.is_authenticated or not getattr(current_user, "is_deputy", False):
        return redirect(url_for("accounts.login", next=request.path))
    deputy = current_user._get_current_object()
    if not deputy.is_active:  # the meeting has closed since the card was used
        logout_user()
        return render_template("errors/error.html", code=403, title="会议已结束",
                               message="本次会议已经结束，登录卡不再有效。"), 403
    rows = [{"ballot": b, "voted": ballots.has_voted(b, deputy)} for b in ballots.ballots_for_deputy(deputy)]
    return render_template("meetings/tablet.html", deputy=deputy, meeting=deputy.meeting, rows=rows)
