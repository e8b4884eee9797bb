"""The day of the sitting (issue #20), additions to API.md: leave, signing out and
re-entry, who is where, the timer's choice and sweep, and the public receipt check.
Re-entry is the existing POST /meetings/<mid>/checkin."""
from flask import jsonify

from voting.accounts.permissions import CAST_VOTE, MANAGE_MEETINGS, READ_ATTENDANCE, current_principal, require
from voting.api.blueprint import bp
from voting.api.meetings import ID, actor_of, load_meeting, path_id
from voting.api.openapi import PATHS, document
from voting.api.parsing import id_value, json_body
from voting.ballots import receipts, timers
from voting.errors import Refusal
from voting.extensions import db
from voting.meetings import attendance
from voting.meetings.models import Deputy


def _named_deputy(meeting, data) -> Deputy:
    if data.get("deputy_id") is None:
        raise Refusal(400, "bad_request", "缺少字段“deputy_id”。")
    deputy = db.session.get(Deputy, id_value(data["deputy_id"], "deputy_id"))
    if deputy is None or deputy.meeting_id != meeting.id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    return deputy


@bp.post("/meetings/<mid>/signout")
@require(MANAGE_MEETINGS, CAST_VOTE)
def sign_out(mid):
    """A deputy signs itself out with no body; the secretariat signs out {"deputy_id"}."""
    principal = current_principal()
    meeting = load_meeting(mid, write=not principal.is_deputy)
    if principal.is_deputy:
        data = json_body(required=False)
        if data.get("deputy_id") is not None and id_value(data["deputy_id"], "deputy_id") != principal.id:
            raise Refusal(403, "forbidden", "代表只能为自己签退。")
        deputy = principal
    else:
        deputy = _named_deputy(meeting, json_body())
    figures = attendance.sign_out(meeting, deputy, actor=actor_of(principal), by_staff=not principal.is_deputy)
    return jsonify({**figures, "deputy_id": str(deputy.id), "status": "left"})


@bp.post("/meetings/<mid>/leave")
@require(MANAGE_MEETINGS)
def grant_leave(mid):
    meeting = load_meeting(mid, write=True)
    deputy = _named_deputy(meeting, json_body())
    figures = attendance.grant_leave(meeting, deputy, actor=actor_of(current_principal()))
    return jsonify({**figures, "deputy_id": str(deputy.id), "status": "leave"})


@bp.get("/meetings/<mid>/presence")
@require(READ_ATTENDANCE)
def presence(mid):
    meeting = load_meeting(mid)
    statuses = attendance.statuses(meeting.id)
    return jsonify({**attendance.day_figures(meeting), "deputies": [
        {"id": str(d.id), "name": d.name, "number": d.number, "status": statuses.get(d.id, "absent")}
        for d in sorted(meeting.deputies, key=lambda d: (d.number, d.id))]})


@bp.post("/meetings/<mid>/timer-expiry")
@require(MANAGE_MEETINGS)
def set_timer_expiry(mid):
    meeting = load_meeting(mid, write=True)
    timers.set_timer_expiry(meeting, json_body().get("timer_expiry"), actor=actor_of(current_principal()))
    return jsonify({"id": str(meeting.id), "timer_expiry": meeting.timer_expiry})


@bp.post("/meetings/<mid>/timers/sweep")
@require(MANAGE_MEETINGS)
def sweep(mid):
    meeting = load_meeting(mid, write=True)
    done = timers.sweep_timers(timers.clock(), meeting_ids=[meeting.id])
    return jsonify({"acted": [{"ballot_id": str(bid), "action": action} for bid, action in done]})


@bp.get("/ballots/<bid>/receipt-check/<code>")
def check_receipt(bid, code):
    """Public after publish: is this tracker code in the ballot's published list?"""
    return jsonify(receipts.check(path_id(bid), code))


FIGURES = {"type": "object", "required": ["total", "present", "required", "quorum_met", "on_leave", "left"],
           "properties": {"total": {"type": "integer"}, "present": {"type": "integer"},
                          "required": {"type": "integer"}, "quorum_met": {"type": "boolean"},
                          "on_leave": {"type": "integer"}, "left": {"type": "integer"},
                          "deputy_id": ID, "status": {"type": "string", "enum": ["present", "leave", "left", "absent"]}}}
DEPUTY_REQUEST = {"type": "object", "properties": {"deputy_id": ID}}
document("/meetings/{mid}/signout", "post",
         summary="签退（中途退场）：代表用自己的令牌、无请求体；秘书处提交 {\"deputy_id\": ...}。"
                 "不在场为 409 not_present；重新签到（POST checkin）即再次入场",
         request=DEPUTY_REQUEST, request_required=False, responses={200: ("签退后的出席情况", FIGURES)})
document("/meetings/{mid}/leave", "post", summary="登记请假（秘书处）；已请假为 409 already_on_leave",
         request=DEPUTY_REQUEST, responses={200: ("请假后的出席情况", FIGURES)})
document("/meetings/{mid}/presence", "get", summary="出席情况与每名代表的状态（在场、请假、已退场、未签到）",
         responses={200: ("出席情况", {**FIGURES, "properties": {**FIGURES["properties"], "deputies": {
             "type": "array", "items": {"type": "object", "properties": {
                 "id": ID, "name": {"type": "string"}, "number": {"type": "string"},
                 "status": {"type": "string", "enum": ["present", "leave", "left", "absent"]}}}}}})})
document("/meetings/{mid}/timer-expiry", "post",
         summary="限时表决到时的处理：close 自动结束（默认），ask 提示秘书处结束",
         request={"type": "object", "required": ["timer_expiry"], "properties": {
             "timer_expiry": {"type": "string", "enum": ["close", "ask"]}}},
         responses={200: ("会议的设定", {"type": "object", "properties": {
             "id": ID, "timer_expiry": {"type": "string"}}})})
document("/meetings/{mid}/timers/sweep", "post", summary="立即处理本会议已到时的限时表决（秘书处）",
         responses={200: ("已处理的表决", {"type": "object", "properties": {"acted": {"type": "array", "items": {
             "type": "object", "properties": {"ballot_id": ID, "action": {"type": "string",
                                                                          "enum": ["closed", "asked"]}}}}}})})
document("/ballots/{bid}/receipt-check/{code}", "get", auth=False,
         summary="回执核对（公开）：公布后回答回执码是否在本表决公布的回执码清单中；公布前为 409 results_not_available",
         responses={200: ("核对结果", {"type": "object", "required": ["ballot", "found"], "properties": {
             "ballot": ID, "title": {"type": "string"}, "found": {"type": "boolean"},
             "code": {"type": "string"}, "receipts": {"type": "integer"}}})})
PATHS["/meetings/{mid}/signout"]["post"]["x-error-codes"] = {"409": ["not_present", "invalid_transition"]}
