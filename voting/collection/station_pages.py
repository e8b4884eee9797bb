"""Liaison stations (代表联络站) and deputies' personal codes at /collection/stations and
/collection/deputy-codes (blueprint `collection.stations`, nested in `collection`): lists,
forms, CSV import and printable QR posters."""
from flask import Blueprint, flash, redirect, render_template, request, url_for

from voting.accounts.models import Body
from voting.accounts.permissions import (
    MANAGE_STATIONS, READ_STATIONS, current_principal, has_permission, load_record, readable_bodies,
    reading_body, require,
)
from voting.errors import Refusal, invalid
from voting.collection import services
from voting.collection.models import DeputyCode, LiaisonStation
from voting.qr import absolute_url
from voting.extensions import db
from voting.textcells import csv_download

bp = Blueprint("stations", __name__)


def _actor() -> str:
    return current_principal().username


@bp.get("/stations")
@require(READ_STATIONS)
def stations():
    return _stations_page(reading_body())


def _stations_page(body: Body, values=None, errors=None, problems=None, status=200):
    principal = current_principal()
    codes = db.session.execute(db.select(DeputyCode).filter_by(body_id=body.id).order_by(DeputyCode.code)).scalars()
    stations_list = services.stations_of(body.id)
    return render_template("collection/stations.html", body=body, bodies=readable_bodies(),
                           stations=stations_list, station_options=[(s.id, s.name) for s in stations_list],
                           deputy_codes=list(codes),
                           can_manage=has_permission(principal, MANAGE_STATIONS) and principal.body_id == body.id,
                           values=values or {}, errors=errors or {}, problems=problems or []), status


def _stations_refused(error: Refusal, values: dict):
    body = db.session.get(Body, current_principal().body_id)
    problems = getattr(error, "problems", [])
    return _stations_page(body, values, {} if problems else error.field_messages(), problems, error.status)


@bp.post("/stations")
@require(MANAGE_STATIONS)
def create_station():
    principal = current_principal()
    try:
        station = services.create_station(principal.body_id, dict(request.form), _actor())
    except Refusal as error:
        return _stations_refused(error, dict(request.form))
    flash(f"已添加联络站 {station.name}（{station.code}）。", "success")
    return redirect(url_for("collection.stations.stations"))


@bp.route("/stations/<int:station_id>/edit", methods=["GET", "POST"])
@require(MANAGE_STATIONS)
def edit_station(station_id):
    station = load_record(LiaisonStation, station_id, write=True)
    values = {"code": station.code, "name": station.name, "township": station.township, "address": station.address}
    errors, status = {}, 200
    if request.method == "POST":
        values = dict(request.form)
        try:
            services.update_station(station, values, _actor())
        except Refusal as error:
            errors, status = error.field_messages(), error.status
        else:
            flash("联络站信息已保存。", "success")
            return redirect(url_for("collection.stations.stations"))
    return render_template("collection/station_form.html", station=station, values=values, errors=errors), status


@bp.post("/stations/import")
@require(MANAGE_STATIONS)
def import_stations():
    principal = current_principal()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise services.ImportRejected(["请选择要导入的 CSV 文件。"])
        text = services.decode_upload(upload.read())
        created = services.import_stations(principal.body_id, text, _actor())
    except services.ImportRejected as rejected:
        return _stations_refused(rejected, {})
    flash(f"已导入 {len(created)} 个联络站。", "success")
    return redirect(url_for("collection.stations.stations"))


@bp.get("/stations/template.csv")
@require(READ_STATIONS)
def station_template():
    text = "code,name,township,address\nDH-01,东湖镇代表联络站,东湖镇,东湖镇人民路1号\n"
    return csv_download(text, "stations-template.csv")


@bp.get("/stations/<int:station_id>/poster")
@require(READ_STATIONS)
def station_poster(station_id):
    station = load_record(LiaisonStation, station_id)
    return render_template("collection/poster.html", heading=station.name, subheading=station.address,
                           qr_src=url_for("collection.intake.qr", code=station.code),
                           url=absolute_url("collection.intake.intake", code=station.code), code=station.code)


@bp.post("/deputy-codes")
@require(MANAGE_STATIONS)
def create_deputy_code():
    principal = current_principal()
    values = dict(request.form)
    try:
        entry = services.create_deputy_code(principal.body_id, {**values, "code": values.get("deputy_code", "")},
                                            _actor())
    except Refusal as error:
        errors = {("deputy_code" if k == "code" else k): v for k, v in error.field_messages().items()}
        return _stations_refused(invalid(errors, error.code), values)
    flash(f"已为 {entry.deputy_name} 代表生成个人码 {entry.code}。", "success")
    return redirect(url_for("collection.stations.stations"))


@bp.get("/deputy-codes/<int:code_id>/poster")
@require(READ_STATIONS)
def deputy_poster(code_id):
    entry = load_record(DeputyCode, code_id)
    return render_template("collection/poster.html", heading=f"{entry.deputy_name}代表",
                           subheading=entry.station.name if entry.station else "",
                           qr_src=url_for("collection.intake.deputy_qr", code=entry.code),
                           url=absolute_url("collection.intake.deputy_intake", code=entry.code), code=entry.code)


