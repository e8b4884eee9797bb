"""Ballots: create, open, vote, close, tally, publish, receipts, later rounds (API.md "Ballots").

The vote endpoint never logs its body; nothing here writes a choice anywhere but
into the sealed ballot.
"""
from flask import jsonify, request
from werkzeug.exceptions import NotFound

from voting.accounts.permissions import (
    CAST_VOTE,
    MANAGE_MEETINGS,
    READ_MEETINGS,
    READ_TALLY,
    current_principal,
    ensure_readable,
    ensure_writable,
    require,
    require_login,
)
from voting.api.blueprint import bp
from voting.api.meetings import ID, actor_of, iso, load_meeting, path_id
from voting.api.openapi import PATHS, document
from voting.api.parsing import json_body
from voting.ballots import hall, services, timers
from voting.ballots.models import Ballot, BallotState
from voting.extensions import db
from voting.errors import Refusal
from voting.rules import rule_from_json, rule_text
from voting.tellers.checking import shape_of


def load_ballot(bid: str, *, write: bool = False) -> Ballot:
    """The ballot, if the caller may see it: staff of its body (or a parent body, read
    only), or a deputy of its meeting once it has left draft. Otherwise 404."""
    principal = current_principal()
    ballot = db.session.get(Ballot, path_id(bid))
    if ballot is None:
        raise NotFound()
    if principal.is_deputy:
        if principal.meeting_id != ballot.meeting_id or ballot.state == BallotState.draft.value:
            raise NotFound()
    elif write:
        ensure_writable(principal, ballot.body_id)
    else:
        ensure_readable(principal, ballot.body_id)
    return ballot


def ballot_json(ballot: Ballot, deputy=None) -> dict:
    rule = rule_from_json(ballot.kind, ballot.rule)
    data = {
        "id": str(ballot.id),
        "meeting_id": str(ballot.meeting_id),
        "kind": ballot.kind,
        "title": ballot.title,
        "state": ballot.state,
        "state_text": ballot.state_enum.label,
        "round": ballot.round,
        "parent_id": str(ballot.parent_id) if ballot.parent_id else None,
        "seats": ballot.seats,
        "secret": bool(ballot.secret),
        "options": ballot.options,
        "items": [{"id": str(item.id), "title": item.title, "description": item.description,
                   "source_item_id": str(item.source_item_id) if item.source_item_id else None,
                   "reference": item.reference} for item in ballot.items],
        "rule": rule.to_json(),
        "rule_text": rule_text(ballot.kind, rule, ballot.seats),
        "total": ballot.total,
        "issued": ballot.issued,
        "progress": services.progress(ballot),
        "opened_at": iso(ballot.opened_at),
        "closed_at": iso(ballot.closed_at),
        "published_at": iso(ballot.published_at),
        "encryption": encryption_json(ballot),
        "awaiting_tellers": bool(ballot.awaiting_tellers),
        "rehearsal": bool(ballot.rehearsal),
        "duration_seconds": ballot.duration_seconds,
        "deadline": iso(ballot.deadline),
        "remaining_seconds": timers.remaining_seconds(ballot, timers.clock()),
        "timer_expired": ballot.timer_expired_at is not None,
    }
    if deputy is not None:
        data["voted"] = services.has_voted(ballot, deputy)
        data["eligible"] = services.is_eligible(ballot, deputy)
        data.update(hall.deputy_standing(ballot, deputy))
    return data


def encryption_json(ballot: Ballot) -> dict:
    """How a cast of this ballot is kept secret; under tellers, what the tablet needs to
    encrypt and prove it (docs/BOARD.md, "Encrypted ballot")."""
    if not ballot.with_tellers:
        return {"mode": "installation"}
    shape = shape_of(ballot)
    return {"mode": "tellers", "joint_key": ballot.teller_key.hex(), "items": list(shape.item_ids),
            "options": list(shape.options), "encoding": shape.encoding_json(),
            "limit": {"option": shape.limited_option, "at_most": shape.limit} if shape.limited_option else None}


def _for_caller(ballot: Ballot) -> dict:
    principal = current_principal()
    return ballot_json(ballot, principal if principal.is_deputy else None)


# --- creating and listing --------------------------------------------------------------

@bp.post("/meetings/<mid>/ballots")
@require(MANAGE_MEETINGS)
def create_ballot(mid):
    meeting = load_meeting(mid, write=True)
    data = json_body()
    ballot = services.create_ballot(
        meeting, kind=data.get("kind"), title=data.get("title"), items=data.get("items"), seats=data.get("seats"),
        secret=data.get("secret", True), rule=data.get("rule"), options=data.get("options"),
        actor=actor_of(current_principal()), rehearsal=data.get("rehearsal", False),
        duration_seconds=data.get("duration_seconds"))
    return jsonify(ballot_json(ballot)), 201


@bp.get("/meetings/<mid>/ballots")
@require(READ_MEETINGS, CAST_VOTE)
def list_ballots(mid):
    meeting = load_meeting(mid)
    principal = current_principal()
    if principal.is_deputy:
        ballots = services.ballots_for_deputy(principal)
    else:
        ballots = services.ballots_of_meeting(meeting)
    return jsonify({"ballots": [_for_caller(b) for b in ballots]})


@bp.get("/ballots/<bid>")
@require(READ_MEETINGS, CAST_VOTE)
def get_ballot(bid):
    return jsonify(_for_caller(load_ballot(bid)))


# --- the lifecycle ---------------------------------------------------------------------

@bp.post("/ballots/<bid>/open")
@require(MANAGE_MEETINGS)
def open_ballot(bid):
    ballot = services.open_ballot(load_ballot(bid, write=True), actor=actor_of(current_principal()))
    return jsonify(ballot_json(ballot))


@bp.post("/ballots/<bid>/close")
@require(MANAGE_MEETINGS)
def close_ballot(bid):
    services.check_before_close(load_ballot(bid, write=True).id)  # a ballot this caller may manage; commits
    ballot = load_ballot(bid, write=True)
    services.close_ballot(ballot, actor=actor_of(current_principal()))
    return jsonify(ballot_json(ballot))


@bp.post("/ballots/<bid>/publish")
@require(MANAGE_MEETINGS)
def publish_ballot(bid):
    ballot = services.publish_ballot(load_ballot(bid, write=True), actor=actor_of(current_principal()))
    return jsonify(ballot_json(ballot))


@bp.post("/ballots/<bid>/runoff")
@require(MANAGE_MEETINGS)
def start_runoff(bid):
    child = services.start_runoff(load_ballot(bid, write=True), actor=actor_of(current_principal()))
    return jsonify(ballot_json(child)), 201


@bp.post("/ballots/<bid>/reappraisal")
@require(MANAGE_MEETINGS)
def start_reappraisal(bid):
    """Round + 1 of a closed appraisal. Optional body `{"meeting_id": "..."}`: hold the
    new round in a later meeting of the same body. A campaign's round waits until every
    failing item's department has submitted its re-report (409 reappraisal_not_ready)."""
    from voting.appraisals import services as appraisals

    ballot = load_ballot(bid, write=True)
    data = json_body() if request.get_data() else {}
    meeting = load_meeting(str(data["meeting_id"]), write=True) if data.get("meeting_id") is not None else None
    child = appraisals.reappraise(ballot, actor_of(current_principal()), meeting=meeting)
    return jsonify(ballot_json(child)), 201


@bp.get("/ballots/<bid>/not-voted")
@require(MANAGE_MEETINGS)
def not_voted(bid):
    ballot = load_ballot(bid, write=True)
    return jsonify({"deputies": [
        {"id": str(d.id), "name": d.name, "delegation": d.delegation, "number": d.number}
        for d in services.deputies_not_voted(ballot)]})


# --- voting ----------------------------------------------------------------------------

@bp.post("/ballots/<bid>/votes")
@require(CAST_VOTE)
def cast_vote(bid):
    principal = current_principal()
    draft = db.session.get(Ballot, path_id(bid))
    if (draft is not None and draft.state == BallotState.draft.value and principal.is_deputy
            and principal.meeting_id == draft.meeting_id):
        # API.md: a vote on a ballot that is not open is 409 ballot_not_open, a draft included.
        raise Refusal(409, "ballot_not_open", "本项表决尚未开始投票。")
    ballot = load_ballot(bid)
    key = request.headers.get("Idempotency-Key")
    if not key or not key.strip():
        raise Refusal(400, "idempotency_key_required",
                          "缺少请求头 Idempotency-Key：请为每次投票生成一个唯一值，重试时保持不变。")
    data = json_body()
    if "encrypted" in data:  # encrypted on the tablet to the tellers' key (docs/BOARD.md)
        receipt, created = hall.cast_in_hall(ballot, current_principal(), None, key, encrypted=data["encrypted"])
        return jsonify({"receipt": receipt}), 201 if created else 200
    if "choices" not in data:
        raise Refusal(400, "bad_request", "缺少字段“choices”。")
    receipt, created = hall.cast_in_hall(ballot, current_principal(), data["choices"], key)
    return jsonify({"receipt": receipt}), 201 if created else 200


# --- results ---------------------------------------------------------------------------

@bp.get("/ballots/<bid>/tally")
@require(READ_TALLY, CAST_VOTE)
def get_tally(bid):
    ballot = load_ballot(bid)
    sheet = services.tally_for(ballot)
    if current_principal().is_deputy and not ballot.results_shown:  # the meeting's display policy
        raise Refusal(403, "forbidden", "表决结果公布后，代表才能查看计票单。")
    return jsonify(sheet)


@bp.get("/ballots/<bid>/receipts")
@require_login
def get_receipts(bid):
    ballot = load_ballot(bid)
    return jsonify({"ballot": str(ballot.id), "receipts": services.receipts_for(ballot)})


# --- the OpenAPI document --------------------------------------------------------------

RULE = {"type": "object", "description": "规则，形如 shared/rules-cases.json 中的 rule；缺省取 RULES.md 的默认值"}
ITEM_IN = {"type": "object", "required": ["title"], "properties": {
    "title": {"type": "string"}, "description": {"type": "string"}, "reference": {"type": "string"}}}
PROGRESS = {"type": "object", "required": ["issued", "cast"], "properties": {
    "issued": {"type": "integer"}, "cast": {"type": "integer"},
    "voted": {"type": "integer", "description": "已投票或已领纸质选票的代表数"}}}
NULLABLE_STRING = {"type": "string", "nullable": True}
BALLOT = {
    "type": "object",
    "required": ["id", "kind", "title", "state", "round", "items", "rule", "progress"],
    "properties": {
        "id": ID, "meeting_id": ID, "kind": {"type": "string", "enum": ["selection", "motion", "appraisal"]},
        "title": {"type": "string"}, "state": {"type": "string", "enum": [s.value for s in BallotState]},
        "state_text": {"type": "string"}, "round": {"type": "integer"}, "parent_id": NULLABLE_STRING,
        "seats": {"type": "integer", "nullable": True}, "secret": {"type": "boolean"},
        "options": {"type": "array", "items": {"type": "string"}},
        "items": {"type": "array", "items": {"type": "object", "required": ["id", "title"], "properties": {
            "id": ID, "title": {"type": "string"}, "description": {"type": "string"},
            "source_item_id": NULLABLE_STRING, "reference": NULLABLE_STRING}}},
        "rule": RULE, "rule_text": {"type": "string"},
        "total": {"type": "integer", "nullable": True}, "issued": {"type": "integer", "nullable": True},
        "progress": PROGRESS, "opened_at": NULLABLE_STRING, "closed_at": NULLABLE_STRING,
        "published_at": NULLABLE_STRING,
        "encryption": {"type": "object", "description": "installation（安装密钥）或 tellers（监票人门限密钥，含联合公钥与加密所需的顺序）"},
        "awaiting_tellers": {"type": "boolean", "description": "已结束，等待监票人解密"},
        "voted": {"type": "boolean", "description": "仅代表可见：自己是否已投票"},
        "eligible": {"type": "boolean", "description": "仅代表可见：本表决是否发给了自己"},
        "voted_channel": {"type": "string", "nullable": True, "enum": ["tablet", "paper"],
                          "description": "仅代表可见：以何种方式参加（平板或已领纸质选票），不含任何选择"},
        "attendance": {"type": "string", "enum": ["present", "leave", "left", "absent"],
                       "description": "仅代表可见：自己当前的出席状态"},
        "rehearsal": {"type": "boolean", "description": "试表决：计票、显示如常，但不公布、不归档、不导出"},
        "duration_seconds": {"type": "integer", "nullable": True, "description": "预设表决时间（秒）"},
        "deadline": NULLABLE_STRING, "remaining_seconds": {"type": "integer", "nullable": True},
        "timer_expired": {"type": "boolean", "description": "限时已到（会议设定为提示秘书处时，等待结束）"},
    },
}
SHEET_ITEM = {"type": "object", "required": ["id", "title", "counts", "outcome", "rate", "rank"], "properties": {
    "id": ID, "title": {"type": "string"},
    "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
    "outcome": {"type": "string", "enum": ["selected", "not_selected", "failed", "tie", "passed", "satisfactory",
                                           "rereport_required", "no_valid_votes", "void"]},
    "outcome_text": {"type": "string"}, "rate": NULLABLE_STRING, "rank": {"type": "integer", "nullable": True},
    "verdict": {"type": "string"}, "score": {"type": "string"}, "grade": {"type": "string"}}}
TALLY = {
    "type": "object",
    "required": ["ballot", "total", "issued", "cast", "not_voted", "valid", "invalid", "items", "runoff",
                 "seats_unfilled", "rule", "rule_text", "signature"],
    "properties": {
        "ballot": {"type": "object"}, "total": {"type": "integer"}, "issued": {"type": "integer"},
        "cast": {"type": "integer"}, "not_voted": {"type": "integer"}, "valid": {"type": "integer"},
        "invalid": {"type": "integer"}, "void": {"type": "boolean"},
        "items": {"type": "array", "items": SHEET_ITEM},
        "runoff": {"type": "object", "nullable": True, "properties": {
            "items": {"type": "array", "items": ID}, "seats": {"type": "integer"}}},
        "seats_unfilled": {"type": "integer"}, "rule": RULE, "rule_text": {"type": "string"},
        "channels": {"type": "object", "properties": {"tablet": {"type": "integer"}, "paper": {"type": "integer"}}},
        "trackers": {"type": "integer"}, "closed_at": {"type": "string"},
        "signature": {"type": "object", "required": ["alg", "public_key", "value"], "properties": {
            "alg": {"type": "string", "enum": ["Ed25519"]}, "public_key": {"type": "string"},
            "value": {"type": "string"}}},
    },
}
RECEIPT = {"type": "object", "required": ["receipt"], "properties": {"receipt": {"type": "string"}}}

document("/meetings/{mid}/ballots", "post", summary="新建表决（草稿，秘书处）",
         request={"type": "object", "required": ["kind", "title", "items"], "properties": {
             "kind": {"type": "string", "enum": ["selection", "motion", "appraisal"]}, "title": {"type": "string"},
             "seats": {"type": "integer", "description": "仅项目票决"}, "secret": {"type": "boolean"},
             "items": {"type": "array", "items": ITEM_IN}, "rule": RULE,
             "options": {"type": "array", "items": {"type": "string"}, "description": "仅满意度测评"},
             "rehearsal": {"type": "boolean", "description": "试表决（默认 false）"},
             "duration_seconds": {"type": "integer", "description": "预设表决时间（秒，1至86400），开始时起算"}}},
         responses={201: ("表决", BALLOT)})
document("/meetings/{mid}/ballots", "get", summary="会议的表决；代表只看到发给自己的进行中表决和已公布的表决",
         responses={200: ("表决列表", {"type": "object", "properties": {"ballots": {"type": "array", "items": BALLOT}}})})
document("/ballots/{bid}", "get", summary="表决，含状态、项目与进度", responses={200: ("表决", BALLOT)})
document("/ballots/{bid}/open", "post",
         summary="开始表决：不足法定人数为 409 quorum_not_met；冻结规则、应到与发出票数",
         responses={200: ("表决", BALLOT)})
document("/ballots/{bid}/close", "post", summary="结束表决：计票、签名并保存计票单", responses={200: ("表决", BALLOT)})
document("/ballots/{bid}/publish", "post", summary="公布结果", responses={200: ("表决", BALLOT)})
document("/ballots/{bid}/runoff", "post", summary="再次投票：得票相等或名额未选满时新建下一轮（草稿）",
         responses={201: ("下一轮表决", BALLOT)})
document("/ballots/{bid}/reappraisal", "post", summary="再次测评：须再办理、再报告的项目新建下一轮（草稿）",
         request={"type": "object", "properties": {"meeting_id": ID}}, request_required=False,
         responses={201: ("下一轮测评", BALLOT)})
document("/ballots/{bid}/not-voted", "get", summary="尚未投票的代表（只有姓名，没有任何选择；秘书处）",
         responses={200: ("名单", {"type": "object", "properties": {"deputies": {"type": "array", "items": {
             "type": "object", "properties": {"id": ID, "name": {"type": "string"},
                                              "delegation": {"type": "string"}, "number": {"type": "string"}}}}}})})
document("/ballots/{bid}/votes", "post",
         summary="代表投票。需请求头 Idempotency-Key（缺少为 400）；同一键与内容重试返回 200 与同一回执；"
                 "已投过为 409 already_voted；未在投票中为 409 ballot_not_open；"
                 "开始表决时未签到为 403 not_eligible；内容不合规则为 422 too_many_yes / unknown_item / unknown_choice",
         request={"type": "object", "anyOf": [{"required": ["choices"]}, {"required": ["encrypted"]}], "properties": {
             "choices": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "项目编号 → yes|no|abstain 或测评选项；未选的项目按弃权计"},
             "encrypted": {"type": "object", "description": "（有监票人的会议）平板上加密并证明的选票，格式见 docs/BOARD.md；"
                                                            "证明不成立为 422 ballot_rejected"}}},
         extra_headers=[{"name": "Idempotency-Key", "in": "header", "required": True, "schema": {"type": "string"}}],
         responses={201: ("投票已保存（提交后才返回）", RECEIPT), 200: ("重试：同一张选票的回执", RECEIPT)})
document("/ballots/{bid}/tally", "get",
         summary="计票单（监票人、领导、秘书处；公布后代表也可查看）；草稿或投票中为 409 results_not_available",
         responses={200: ("签名的计票单", TALLY)})
document("/ballots/{bid}/receipts", "get", summary="公布后：全部回执码（排序），供代表核对自己的选票",
         responses={200: ("回执码", {"type": "object", "required": ["receipts"], "properties": {
             "ballot": ID, "receipts": {"type": "array", "items": {"type": "string"}}}})})
PATHS["/ballots/{bid}/votes"]["post"]["x-error-codes"] = {
    "400": ["bad_request", "idempotency_key_required", "not_encrypted_ballot"],
    "403": ["forbidden", "not_eligible", "deputy_left"],
    "409": ["ballot_not_open", "already_voted"],
    "422": ["too_many_yes", "unknown_item", "unknown_choice", "ballot_rejected"]}
