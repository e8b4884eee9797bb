"""The public intake (征集) at /collection/intake (blueprint `collection.intake`, nested in
`collection`; the old /collect addresses on printed posters redirect, voting/moved.py): a resident or a deputy scans a station's or a
deputy's QR code, writes a proposal, gets a tracking code and looks it up later.
No login; each form and hint is rate-limited (voting/collection/limits.py)."""
from flask import Blueprint, Response, abort, jsonify, redirect, render_template, request, session, url_for

from voting.accounts.models import Body
from voting.collection import services
from voting.collection.limits import intake_limit, similar_limit, tracking_limit
from voting.collection.models import CATEGORIES
from voting.qr import absolute_url, qr_png
from voting.errors import Refusal
from voting.extensions import db

bp = Blueprint("intake", __name__, url_prefix="/intake")


def _intake_target(code: str, personal: bool):
    """(station, deputy_code) of an intake URL; 404 for an unknown code."""
    if personal:
        deputy_code = services.deputy_code_by_code(code)
        if deputy_code is None:
            abort(404)
        return deputy_code.station, deputy_code
    station = services.station_by_code(code)
    if station is None:
        abort(404)
    return station, None


def _intake_urls(code: str, personal: bool) -> dict:
    prefix = "collection.intake.deputy_" if personal else "collection.intake."  # absolute: also served at /collect/
    return {"submit": url_for(prefix + "intake_submit", code=code),
            "similar": url_for(prefix + "similar", code=code)}


def _render_intake(station, deputy_code, code: str, personal: bool, values=None, errors=None, status=200):
    body_id = deputy_code.body_id if deputy_code else station.body_id
    values = values or {"township": station.township if station else ""}
    return render_template("collection/intake.html", station=station, deputy_code=deputy_code,
                           body=db.session.get(Body, body_id), categories=CATEGORIES, values=values,
                           errors=errors or {}, urls=_intake_urls(code, personal),
                           max_photos=services.MAX_PHOTOS), status


def _submit_from_form(station, deputy_code, *, source: str, actor: str, body_id: int, proposer_allowed=False):
    form = request.form
    data = {name: form.get(name, "") for name in ("title", "description", "category", "township", "location",
                                                  "contact")}
    if proposer_allowed:
        data["proposer"] = form.get("proposer", "")
    photos = [(f.filename or "", f.read()) for f in request.files.getlist("photos") if f and (f.filename or "")]
    proposal = services.submit_proposal(data, body_id=body_id, station=station, deputy_code=deputy_code,
                                        source=source, photos=photos, honeypot=form.get("website", ""),
                                        actor=actor)
    return data, proposal


def _public_submit(code: str, personal: bool):
    station, deputy_code = _intake_target(code, personal)
    body_id = deputy_code.body_id if deputy_code else station.body_id
    try:
        _, proposal = _submit_from_form(station, deputy_code, source="deputy" if personal else "public",
                                        actor="public", body_id=body_id)
    except Refusal as error:
        return _render_intake(station, deputy_code, code, personal, values=dict(request.form),
                              errors=error.field_messages(), status=error.status)
    session["collection_done"] = proposal.tracking_code
    return redirect(url_for("collection.intake.done"))


@bp.get("/<code>")
def intake(code):
    station, deputy_code = _intake_target(code, False)
    return _render_intake(station, deputy_code, station.code, False)[0]


@bp.post("/<code>")
@intake_limit
def intake_submit(code):
    return _public_submit(code, False)


@bp.get("/d/<code>")
def deputy_intake(code):
    station, deputy_code = _intake_target(code, True)
    return _render_intake(station, deputy_code, deputy_code.code, True)[0]


@bp.post("/d/<code>")
@intake_limit
def deputy_intake_submit(code):
    return _public_submit(code, True)


def _qr_response(url: str, name: str) -> Response:
    response = Response(qr_png(url), mimetype="image/png")
    response.headers["Content-Disposition"] = f'inline; filename="{name}.png"'
    response.headers["Cache-Control"] = "public, max-age=3600"
    return response


@bp.get("/<code>/qr.png")
def qr(code):
    station, _ = _intake_target(code, False)
    # API.md: the station's QR code opens /collect/<code> (voting/moved.py, promised_pages)
    return _qr_response(absolute_url("promised.intake", code=station.code), f"station-{station.code}")


@bp.get("/d/<code>/qr.png")
def deputy_qr(code):
    _, deputy_code = _intake_target(code, True)
    return _qr_response(absolute_url("collection.intake.deputy_intake", code=deputy_code.code), f"deputy-{deputy_code.code}")


def _similar(code: str, personal: bool):
    station, deputy_code = _intake_target(code, personal)
    body_id = deputy_code.body_id if deputy_code else station.body_id
    query = request.args.get("q", "")[:200]
    return jsonify({"similar": [{"title": t} for t in services.similar_titles(body_id, query)]})


@bp.get("/<code>/similar")
@similar_limit
def similar(code):
    return _similar(code, False)


@bp.get("/d/<code>/similar")
@similar_limit
def deputy_similar(code):
    return _similar(code, True)


@bp.get("/done")
def done():
    code = session.get("collection_done")
    if not code:
        return redirect(url_for("collection.intake.query"))
    return render_template("collection/done.html", tracking_code=code)


@bp.get("/query")
@tracking_limit
def query():
    raw = request.args.get("code", "").strip()
    result, error = None, None
    if raw:
        proposal = services.find_by_tracking_code(raw)
        if proposal is None:
            error = "没有找到这个查询码，请核对后重新输入（查询码形如 MS-ABCD-2345）。"
        else:
            result = services.public_status(proposal)
    return render_template("collection/query.html", code=raw, result=result, error=error), (404 if error else 200)


