"""Tellers and their key (issue #17, docs/BOARD.md): naming them, the key ceremony
relayed between their devices, the encrypted sums and the decryption shares, and the
public board of a ballot. Additions to API.md; every API.md call keeps working."""
from flask import jsonify

from voting.accounts.permissions import (HOLD_KEY_SHARE, MANAGE_MEETINGS, READ_MEETINGS, READ_TALLY,
                                         current_principal, require)
from voting.api.ballots import ballot_json, load_ballot
from voting.api.blueprint import bp
from voting.api.meetings import ID, actor_of, load_meeting
from voting.api.openapi import document
from voting.api.parsing import json_body
from voting.extensions import limiter
from voting.ballots import services as ballots
from voting.tellers import board, ceremony, tally


@bp.post("/meetings/<mid>/tellers")
@require(MANAGE_MEETINGS)
def name_tellers(mid):
    meeting = load_meeting(mid, write=True)
    data = json_body()
    ceremony.name_tellers(meeting, data.get("tellers"), data.get("threshold"), actor=actor_of(current_principal()))
    return jsonify(ceremony.ceremony_json(meeting)), 201


@bp.get("/meetings/<mid>/tellers")
@require(READ_MEETINGS)
def get_tellers(mid):
    meeting = load_meeting(mid)
    data = ceremony.ceremony_json(meeting)
    data["your_position"] = ceremony.position_of(meeting, current_principal())
    return jsonify(data)


@bp.post("/meetings/<mid>/tellers/transport-key")
@require(HOLD_KEY_SHARE)
def teller_transport_key(mid):
    meeting = load_meeting(mid)
    ceremony.publish_transport_key(meeting, current_principal(), json_body().get("key"))
    return jsonify(ceremony.ceremony_json(meeting))


@bp.post("/meetings/<mid>/tellers/dealing")
@require(HOLD_KEY_SHARE)
def teller_dealing(mid):
    meeting = load_meeting(mid)
    data = json_body()
    ceremony.publish_dealing(meeting, current_principal(), data.get("commitments"), data.get("knowledge_proof"),
                             data.get("shares"))
    return jsonify(ceremony.ceremony_json(meeting))


@bp.post("/meetings/<mid>/tellers/confirm")
@require(HOLD_KEY_SHARE)
def teller_confirm(mid):
    meeting = load_meeting(mid)
    ceremony.confirm(meeting, current_principal())
    return jsonify(ceremony.ceremony_json(meeting))


@bp.get("/ballots/<bid>/sums")
@require(READ_TALLY)
def encrypted_sums(bid):
    ballot = load_ballot(bid)
    return jsonify(board.sums_json(ballot))


@bp.get("/ballots/<bid>/checks")
@require(READ_MEETINGS)
def cast_checks(bid):
    """How many of the ballot's encrypted casts are checked, failed or still waiting."""
    return jsonify(board.checks_json(load_ballot(bid)))


@bp.post("/ballots/<bid>/decryption")
@require(HOLD_KEY_SHARE)
def give_decryption(bid):
    ballot = load_ballot(bid)
    data = json_body()
    sheet = ballots.count_with_tellers(ballot, current_principal(), data.get("shares"),
                                       actor=actor_of(current_principal()))
    return jsonify({"ballot": ballot_json(ballot), "counted": sheet is not None,
                    "given": len(tally.stored_shares(ballot.id))})


@bp.get("/ballots/<bid>/board")
@limiter.limit("10/minute")  # a board holds every cast: 40 KB each for 25 items
def get_board(bid):
    """Public once the ballot is published (like the receipts, but for everyone)."""
    return jsonify(board.public_board(bid))


CEREMONY = {"type": "object", "required": ["meeting_id", "stage", "stage_text"], "properties": {
    "meeting_id": ID, "stage": {"type": "string", "enum": list(ceremony.STAGE_TEXT)},
    "stage_text": {"type": "string"}, "threshold": {"type": "integer"}, "size": {"type": "integer"},
    "joint_key": {"type": "string", "nullable": True}, "tellers": {"type": "array", "items": {"type": "object"}},
    "verification_keys": {"type": "object"},
    "your_position": {"type": "integer", "nullable": True, "description": "调用者若是本次会议的监票人：其序号"}}}
HEX = {"type": "string", "pattern": "^[0-9a-f]+$"}
document("/meetings/{mid}/tellers", "post", summary="指定本次会议的监票人与解密所需人数 k（秘书处）；密钥生成前可重新指定",
         request={"type": "object", "required": ["tellers", "threshold"], "properties": {
             "tellers": {"type": "array", "items": ID}, "threshold": {"type": "integer"}}},
         responses={201: ("监票人与密钥生成进度", CEREMONY)})
document("/meetings/{mid}/tellers", "get", summary="监票人与密钥生成进度（公开部分：传输公钥、承诺值、密封份额）",
         responses={200: ("监票人与密钥生成进度", CEREMONY)})
document("/meetings/{mid}/tellers/transport-key", "post", summary="监票人设备登记传输公钥（ristretto255 点）",
         request={"type": "object", "required": ["key"], "properties": {"key": HEX}},
         responses={200: ("监票人与密钥生成进度", CEREMONY)})
document("/meetings/{mid}/tellers/dealing", "post",
         summary="监票人设备分发：k 个承诺值、知识证明、密封给每位监票人的份额（服务器只转交，不能解开）",
         request={"type": "object", "required": ["commitments", "knowledge_proof", "shares"], "properties": {
             "commitments": {"type": "array", "items": HEX}, "knowledge_proof": {"type": "array", "items": HEX},
             "shares": {"type": "object", "additionalProperties": HEX}}},
         responses={200: ("监票人与密钥生成进度", CEREMONY)})
document("/meetings/{mid}/tellers/confirm", "post", summary="监票人设备确认收到的份额与承诺值相符；全部确认后生成联合公钥",
         responses={200: ("监票人与密钥生成进度", CEREMONY)}, request_required=False,
         request={"type": "object"})
document("/ballots/{bid}/sums", "get", summary="已结束表决的加密合计（逐项目、逐列密文：逐选项，或打包编码的一列 packed），供监票人解密",
         responses={200: ("加密合计", {"type": "object", "required": ["ballot_id", "items", "options", "columns", "encoding", "sums"]})})
document("/ballots/{bid}/checks", "get",
         summary="加密选票的证明核验进度：待核验、已通过、未通过（未通过的不计入，计为无效票）",
         responses={200: ("核验进度", {"type": "object", "required": ["ballot_id", "mode", "pending", "valid", "failed"],
                                   "properties": {"ballot_id": ID, "mode": {"type": "string", "enum": ["inline", "queued"]},
                                                  "pending": {"type": "integer"}, "valid": {"type": "integer"},
                                                  "failed": {"type": "integer"}}})})
document("/ballots/{bid}/decryption", "post",
         summary="监票人提交解密份额与证明（逐项目、逐选项）；第 k 份到达时生成并签署计票单",
         request={"type": "object", "required": ["shares"], "properties": {"shares": {"type": "array", "items": {
             "type": "array", "items": {"type": "object", "required": ["d", "proof"]}}}}},
         responses={200: ("已接受", {"type": "object", "required": ["counted", "given"], "properties": {
             "counted": {"type": "boolean"}, "given": {"type": "integer"}, "ballot": {"type": "object"}}})})
document("/ballots/{bid}/board", "get", auth=False,
         summary="公开核验板（公布后任何人可读）：联合公钥、每张加密选票及证明、加密合计、解密份额及证明、规则与结果；格式见 docs/BOARD.md",
         responses={200: ("核验板", {"type": "object", "required": ["format", "ballot", "tellers", "casts", "result"]})})
