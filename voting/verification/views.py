"""`/verify/<ballot id>`: the public page the QR code on a printed tally sheet opens.

No login. Before a ballot is published it says only "结果尚未公布"; afterwards it
shows whether the stored sheet's signature holds and whether recounting the stored
ballots gives the same sheet, plus what the published sheet itself says, nothing more.
"""
from flask import Blueprint, render_template
from werkzeug.exceptions import NotFound

from voting.ballots.models import Ballot
from voting.extensions import db, limiter
from voting.sheets.services import verify_ballot

bp = Blueprint("verification", __name__)


@bp.get("/verify/<int:bid>")
@limiter.limit("60/minute")  # every visit unseals and recounts the ballot
def verify(bid):
    ballot = db.session.get(Ballot, bid)
    if ballot is None:
        raise NotFound()
    result = verify_ballot(ballot)
    return render_template("verification/verify.html", bid=bid, result=result)
