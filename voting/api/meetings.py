"""Meetings, the roster, login cards, check-in and attendance (API.md "Meetings")."""
from flask import jsonify, request
from sqlalchemy import select
from werkzeug.exceptions import Forbidden, NotFound

from voting.accounts.permissions import (
    CAST_VOTE,
    MANAGE_MEETINGS,
    READ_ATTENDANCE,
    READ_MEETINGS,
    current_principal,
    ensure_readable,
    ensure_writable,
    readable_body_ids,
    require,
)
from voting.api.blueprint import bp
from voting.api.errors import error_response
from voting.inputlimits import id_from
from voting.api.openapi import PATHS, document
from voting.api.parsing import id_value, json_body, string_field
from voting.extensions import db
from voting.meetings import services
from voting.errors import RosterError, Refusal
from voting.meetings.models import Deputy, Meeting


# --- shared by the API modules ---------------------------------------------------------

def actor_of(principal) -> str:
    """How the audit log names the caller."""
    if principal is None:
        return ""
    return f"deputy:{principal.id}" if principal.is_deputy else f"user:{principal.id}"


def path_id(value: str) -> int:
    """Ids in paths are digit strings; anything else names nothing (404)."""
    found = id_from(value)
    if found is None:
        raise NotFound()
    return found


def load_meeting(mid: str, *, write: bool = False) -> Meeting:
    """The meeting, if the caller may see it (else 404) and, for `write`, change it (403)."""
    principal = current_principal()
    meeting = db.session.get(Meeting, path_id(mid))
    if meeting is None:
        raise NotFound()
    if principal.is_deputy:
        if principal.meeting_id != meeting.id:
            raise NotFound()
        if write:
            raise Forbidden()
    elif write:
        ensure_writable(principal, meeting.body_id)
    else:
        ensure_readable(principal, meeting.body_id)
    return meeting


def iso(moment) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def meeting_json(meeting: Meeting) -> dict:
    return {
        "id": str(meeting.id),
        "name": meeting.name,
        "year": meeting.year,
        "quorum": meeting.quorum,
        "live_counts": bool(meeting.live_counts),
        "results_shown": meeting.results_shown,
        "closed_at": iso(meeting.closed_at),
        **services.attendance_figures(meeting),
    }


# --- schemas for the OpenAPI document -------------------------------------------------

ID = {"type": "string"}
QUORUM = {"type": "object", "properties": {"fraction": {"type": "string", "example": "2/3"},
                                           "inclusive": {"type": "boolean"}}}
ATTENDANCE = {
    "type": "object",
    "required": ["total", "present", "quorum_met", "required"],
    "properties": {"total": {"type": "integer"}, "present": {"type": "integer"},
                   "quorum_met": {"type": "boolean"}, "required": {"type": "integer"}},
}
MEETING = {
    "type": "object",
    "required": ["id", "name", "quorum", "total", "present"],
    "properties": {"id": ID, "name": {"type": "string"}, "year": {"type": "integer", "nullable": True},
                   "quorum": QUORUM, "live_counts": {"type": "boolean"},
                   "results_shown": {"type": "string", "enum": ["close", "publish"]},
                   "closed_at": {"type": "string", "nullable": True}, **ATTENDANCE["properties"]},
}
ROSTER_ROW = {"type": "object", "required": ["name", "number"],
              "properties": {"name": {"type": "string"}, "delegation": {"type": "string"},
                             "number": {"type": "string"}}}
ISSUED_DEPUTY = {"type": "object", "required": ["id", "name", "number", "card"],
                 "properties": {"id": ID, "name": {"type": "string"}, "delegation": {"type": "string"},
                                "number": {"type": "string"}, "card": {"type": "string"}}}
ROSTER_ERROR = {
    "type": "object",
    # A malformed request (not a roster at all, or NUL characters) is `bad_request` without rows;
    # a roster with bad rows is `invalid_roster` with every bad line listed.
    "properties": {"error": {"type": "object", "required": ["code", "message"], "properties": {
        "code": {"type": "string", "enum": ["invalid_roster", "bad_request"]}, "message": {"type": "string"},
        "rows": {"type": "array", "items": {"type": "object", "properties": {
            "line": {"type": "integer"}, "message": {"type": "string"}}}}}}},
}
DEPUTY = {"type": "object", "required": ["id", "name", "number", "present"],
          "properties": {"id": ID, "name": {"type": "string"}, "delegation": {"type": "string"},
                         "number": {"type": "string"}, "present": {"type": "boolean"},
                         "card_version": {"type": "integer"}}}
CHECKIN = {"type": "object", "required": ["present", "total", "quorum_met"],
           "properties": {**ATTENDANCE["properties"], "deputy_id": ID, "checked_in": {"type": "boolean"}}}


# --- meetings -------------------------------------------------------------------------

@bp.post("/meetings")
@require(MANAGE_MEETINGS)
def create_meeting():
    data = json_body()
    principal = current_principal()
    name = string_field(data, "name", max_length=200, label="会议名称")
    meeting = services.create_meeting(principal.body_id, name, quorum=data.get("quorum"), year=data.get("year"),
                                      live_counts=data.get("live_counts") is True,
                                      results_shown=data.get("results_shown"), actor=actor_of(principal))
    return jsonify(meeting_json(meeting)), 201


@bp.get("/meetings")
@require(READ_MEETINGS)
def list_meetings():
    bodies = readable_body_ids(current_principal())
    meetings = db.session.scalars(select(Meeting).where(Meeting.body_id.in_(bodies)).order_by(Meeting.id.desc()))
    return jsonify({"meetings": [meeting_json(m) for m in meetings]})


@bp.get("/meetings/<mid>")
@require(READ_MEETINGS, CAST_VOTE)
def get_meeting(mid):
    return jsonify(meeting_json(load_meeting(mid)))


@bp.post("/meetings/<mid>/close")
@require(MANAGE_MEETINGS)
def close_meeting(mid):
    meeting = load_meeting(mid, write=True)
    services.close_meeting(meeting, actor=actor_of(current_principal()))
    return jsonify(meeting_json(meeting))


# --- the roster -----------------------------------------------------------------------

def _roster_rows() -> list:
    if request.mimetype == "text/csv":
        from voting.meetings.roster_files import decode_csv

        return services.parse_roster_csv(decode_csv(request.get_data()))
    data = json_body()
    rows = data.get("deputies")
    if not isinstance(rows, list):
        raise Refusal(400, "bad_request", "请提交 {\"deputies\": [...]}，或以 text/csv 上传名单。")
    return rows


@bp.post("/meetings/<mid>/deputies")
@require(MANAGE_MEETINGS)
def import_deputies(mid):
    meeting = load_meeting(mid, write=True)
    try:
        issued = services.import_roster(meeting, _roster_rows(), actor=actor_of(current_principal()))
    except RosterError as error:
        db.session.rollback()
        response = error_response(400, error.code, error.message)
        payload = response.get_json()
        payload["error"]["rows"] = [{"line": line, "message": message} for line, message in error.problems]
        return jsonify(payload), 400
    return jsonify({"created": len(issued), "deputies": [
        {"id": str(d.id), "name": d.name, "delegation": d.delegation, "number": d.number, "card": card}
        for d, card in issued]}), 201


@bp.get("/meetings/<mid>/deputies")
@require(READ_ATTENDANCE)
def list_deputies(mid):
    meeting = load_meeting(mid)
    return jsonify({"deputies": [
        {"id": str(row["deputy"].id), "name": row["deputy"].name, "delegation": row["deputy"].delegation,
         "number": row["deputy"].number, "present": row["present"], "card_version": row["deputy"].card_version}
        for row in services.deputies_of(meeting)]})


def _deputy_of(meeting: Meeting, deputy_id: int) -> Deputy:
    deputy = db.session.get(Deputy, deputy_id)
    if deputy is None or deputy.meeting_id != meeting.id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    return deputy


@bp.post("/meetings/<mid>/deputies/<did>/card")
@require(MANAGE_MEETINGS)
def reissue_card(mid, did):
    meeting = load_meeting(mid, write=True)
    deputy = _deputy_of(meeting, path_id(did))
    card = services.issue_card(deputy, actor=actor_of(current_principal()))
    return jsonify({"id": str(deputy.id), "name": deputy.name, "number": deputy.number, "card": card,
                    "card_version": deputy.card_version})


# --- check-in -------------------------------------------------------------------------

@bp.post("/meetings/<mid>/checkin")
@require(MANAGE_MEETINGS, CAST_VOTE)
def check_in(mid):
    principal = current_principal()
    meeting = load_meeting(mid)
    if principal.is_deputy:
        data = json_body(required=False)
        if data.get("deputy_id") is not None and id_value(data["deputy_id"], "deputy_id") != principal.id:
            raise Refusal(403, "forbidden", "代表只能为自己签到。")
        deputy = principal
    else:
        ensure_writable(principal, meeting.body_id)
        data = json_body()
        if data.get("deputy_id") is None:
            raise Refusal(400, "bad_request", "缺少字段“deputy_id”。")
        deputy = _deputy_of(meeting, id_value(data["deputy_id"], "deputy_id"))
    figures, newly = services.check_in(meeting, deputy, actor=actor_of(principal), by_staff=not principal.is_deputy)
    return jsonify({**figures, "deputy_id": str(deputy.id), "checked_in": newly})


@bp.get("/meetings/<mid>/attendance")
@require(READ_ATTENDANCE)
def attendance(mid):
    return jsonify(services.attendance_figures(load_meeting(mid)))


# --- the OpenAPI document --------------------------------------------------------------

document("/meetings", "post", summary="新建会议（秘书处）",
         request={"type": "object", "required": ["name"], "properties": {
             "name": {"type": "string"}, "quorum": QUORUM, "year": {"type": "integer"},
             "live_counts": {"type": "boolean"}, "results_shown": {"type": "string", "enum": ["close", "publish"]}}},
         responses={201: ("会议", MEETING)})
document("/meetings", "get", summary="本机构（及下级）的会议",
         responses={200: ("会议列表", {"type": "object", "properties": {
             "meetings": {"type": "array", "items": MEETING}}})})
document("/meetings/{mid}", "get", summary="会议，含应到与实到人数", responses={200: ("会议", MEETING)})
document("/meetings/{mid}/close", "post", summary="结束会议：代表登录卡与令牌随之失效（秘书处）",
         responses={200: ("会议", MEETING)})
document("/meetings/{mid}/deputies", "post",
         summary="导入代表名单（JSON，或 text/csv 表头 name,delegation,number）；登录卡只在此返回一次",
         request={"type": "object", "required": ["deputies"], "properties": {
             "deputies": {"type": "array", "items": ROSTER_ROW}}},
         responses={201: ("已导入", {"type": "object", "required": ["created", "deputies"], "properties": {
             "created": {"type": "integer"}, "deputies": {"type": "array", "items": ISSUED_DEPUTY}}}),
             400: ("名单有误：逐行列出错误，未导入任何代表", ROSTER_ERROR)})
PATHS["/meetings/{mid}/deputies"]["post"]["requestBody"]["content"]["text/csv"] = {
    "schema": {"type": "string", "example": "name,delegation,number\n王建国,城关代表团,001\n"}}
document("/meetings/{mid}/deputies", "get", summary="代表名单及签到情况（不含登录卡）",
         responses={200: ("名单", {"type": "object", "properties": {"deputies": {"type": "array", "items": DEPUTY}}})})
document("/meetings/{mid}/deputies/{did}/card", "post", summary="补发登录卡：旧卡及其令牌立即失效（秘书处）",
         responses={200: ("新登录卡", ISSUED_DEPUTY)})
document("/meetings/{mid}/checkin", "post",
         summary="签到：代表用自己的令牌、无请求体；秘书处提交 {\"deputy_id\": ...}。重复签到不重复计数",
         request={"type": "object", "properties": {"deputy_id": ID}},
         responses={200: ("签到后的出席情况", CHECKIN)})
document("/meetings/{mid}/attendance", "get", summary="出席情况（秘书处、领导、监票人）",
         responses={200: ("出席情况", ATTENDANCE)})
PATHS["/meetings/{mid}/checkin"]["post"]["requestBody"]["required"] = False
