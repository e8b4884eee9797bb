"""Collection endpoints of API.md: stations, public proposal intake and tracking."""
from flask import jsonify

from voting.accounts.permissions import READ_STATIONS, current_principal, require
from voting.api.blueprint import bp
from voting.errors import Refusal
from voting.api.openapi import document
from voting.api.parsing import json_body
from voting.collection import services
from voting.collection.limits import intake_limit, tracking_limit
from voting.collection.models import CATEGORIES


@bp.get("/stations")
@require(READ_STATIONS)
def list_stations():
    stations = services.stations_of(current_principal().body_id)
    return jsonify({"stations": [{"code": s.code, "name": s.name, "township": s.township} for s in stations]})


@bp.post("/proposals")
@intake_limit
def submit_proposal():
    data = json_body()
    station_code, deputy_code_value = data.get("station"), data.get("deputy_code")
    station = deputy_code = None
    if deputy_code_value is not None:
        deputy_code = services.deputy_code_by_code(deputy_code_value)
        if deputy_code is None:
            raise Refusal(404, "deputy_code_not_found", "没有这个代表个人码。")
    if station_code is not None or deputy_code is None:
        if not isinstance(station_code, str) or not station_code.strip():
            raise Refusal(400, "bad_request", "缺少字段“station”（联络站编码）。")
        station = services.station_by_code(station_code)
        if station is None:
            raise Refusal(404, "station_not_found", "没有这个联络站编码。")
        if deputy_code is not None and deputy_code.body_id != station.body_id:
            raise Refusal(404, "deputy_code_not_found", "没有这个代表个人码。")
    body_id = station.body_id if station else deputy_code.body_id
    honeypot = data.get("website") if isinstance(data.get("website"), str) else ""
    proposal = services.submit_proposal(
        {k: data.get(k) for k in ("title", "description", "category", "township", "location", "contact")},
        body_id=body_id, station=station, deputy_code=deputy_code,
        source="deputy" if deputy_code else "public", honeypot=honeypot, actor="public")
    return jsonify({"tracking_code": proposal.tracking_code}), 201


@bp.get("/proposals/<tracking_code>")
@tracking_limit
def track_proposal(tracking_code):
    proposal = services.find_by_tracking_code(tracking_code)
    if proposal is None:
        raise Refusal(404, "not_found", "没有找到这个查询码。")
    return jsonify(services.public_status(proposal))


STATION_SCHEMA = {"type": "object", "required": ["code", "name", "township"],
                  "properties": {"code": {"type": "string"}, "name": {"type": "string"}, "township": {"type": "string"}}}
PROPOSAL_REQUEST = {
    "type": "object",
    "required": ["station", "title", "description", "category"],
    "properties": {
        "station": {"type": "string", "description": "联络站编码"},
        "deputy_code": {"type": "string", "description": "代表个人码（挂牌亮码），可代替 station"},
        "title": {"type": "string", "minLength": 4, "maxLength": 60},
        "description": {"type": "string", "minLength": 10, "maxLength": 2000},
        "category": {"type": "string", "enum": CATEGORIES},
        "township": {"type": "string", "maxLength": 60},
        "location": {"type": "string", "maxLength": 200},
        "contact": {"type": "string", "maxLength": 100, "description": "仅工作人员可见"},
    },
}
STATUS_SCHEMA = {
    "type": "object",
    "required": ["title", "status", "status_text", "reply"],
    "properties": {
        "title": {"type": "string"},
        "status": {"type": "string", "enum": ["pending", "studying", "shortlisted", "merged", "declined", "candidate"]},
        "status_text": {"type": "string"},
        "reply": {"type": "string"},
        "decline_reason": {"type": "string"},
        "merged_into": {"type": "string", "nullable": True},
        "submitted_at": {"type": "string"},
    },
}

document("/stations", "get", summary="本机构的代表联络站",
         responses={200: ("联络站列表", {"type": "object", "required": ["stations"],
                                       "properties": {"stations": {"type": "array", "items": STATION_SCHEMA}}})})
document("/proposals", "post", summary="提交民生实事建议（无需登录，按地址限流）", auth=False,
         request=PROPOSAL_REQUEST,
         responses={201: ("已收到，返回查询码", {"type": "object", "required": ["tracking_code"],
                                            "properties": {"tracking_code": {"type": "string"}}})})
document("/proposals/{tracking_code}", "get", summary="凭查询码查看建议办理情况（不含联系方式）", auth=False,
         responses={200: ("办理情况", STATUS_SCHEMA)})
