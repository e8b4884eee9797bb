"""`/verify/<ballot id>`: the public page the QR code on a printed tally sheet opens.

No login. Before a ballot is published it says only "结果尚未公布"; afterwards it
shows whether the stored sheet's signature holds and whether recounting the stored
ballots gives the same sheet, plus what the published sheet itself says, nothing more.
Signed-in staff who may read the ballot's sheet (`tally.read` in its body or a parent
body: leaders, secretariat, tellers) see the full check as soon as it is closed.
"""
from flask import Blueprint, make_response, render_template
from werkzeug.exceptions import NotFound

from voting.accounts.permissions import current_principal
from voting.ballots.models import Ballot
from voting.extensions import db, limiter
from voting.sheets.services import staff_may_read_tally, verify_ballot

bp = Blueprint("verification", __name__)


@bp.get("/verify/<int:bid>")
@limiter.limit("60/minute")  # every visit unseals and recounts the ballot
def verify(bid):
    ballot = db.session.get(Ballot, bid)
    if ballot is None:
        raise NotFound()
    staff = staff_may_read_tally(current_principal(), ballot)
    result = verify_ballot(ballot, staff=staff)
    response = make_response(render_template("verification/verify.html", bid=bid, result=result))
    if result.checked and not result.published:  # an unpublished sheet: never from a shared cache
        response.headers["Cache-Control"] = "private, no-store"
    return response
