"""Tally sheets as files and the tellers' paper-ballot entry (API.md "Ballots").

`/ballots/<bid>/tally.csv|.xlsx|.pdf` serve the stored signed sheet, with the same
permissions as the JSON tally. The paper routes are for tellers (`paper.enter`) of
the ballot's own body, while the ballot is open. Nothing here logs a request body.
"""
from flask import Response, jsonify

from voting.accounts.permissions import CAST_VOTE, ENTER_PAPER, READ_TALLY, current_principal, require
from voting.api.blueprint import bp
from voting.api.ballots import load_ballot
from voting.api.meetings import ID, actor_of
from voting.api.openapi import PATHS, document
from voting.api.parsing import id_value, json_body
from voting.ballots import paper
from voting.ballots import services as ballots
from voting.extensions import db
from voting.errors import Refusal
from voting.meetings.models import Deputy
from voting.pdf import FontMissing
from voting.sheets import exports, qr
from voting.sheets.services import readable_view


# --- files -----------------------------------------------------------------------------

def _sheet_file(bid: str, extension: str) -> Response:
    ballot = load_ballot(bid)
    if ballot.rehearsal:
        raise Refusal(409, "rehearsal_not_exported", "试表决只用于检查设备，不导出计票单。")
    _, view = readable_view(ballot, current_principal())
    url = qr.verify_url(ballot.id)
    if extension == "csv":
        data, mimetype = exports.sheet_csv(view, url), exports.CSV_MIMETYPE
    elif extension == "xlsx":
        data, mimetype = exports.sheet_xlsx(view, url), exports.XLSX_MIMETYPE
    else:
        try:
            data = exports.sheet_pdf(view, url, qr.verify_qr_png(ballot.id))
        except FontMissing as missing:
            raise Refusal(503, "pdf_font_missing", missing.message)
        mimetype = exports.PDF_MIMETYPE
    # content_type, not mimetype: Werkzeug appends "; charset=utf-8" to a text/* mimetype,
    # and CSV_MIMETYPE already carries its charset.
    return Response(data, content_type=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{exports.file_name(view, extension)}"'})


@bp.get("/ballots/<bid>/tally.csv")
@require(READ_TALLY, CAST_VOTE)
def tally_csv(bid):
    return _sheet_file(bid, "csv")


@bp.get("/ballots/<bid>/tally.xlsx")
@require(READ_TALLY, CAST_VOTE)
def tally_xlsx(bid):
    return _sheet_file(bid, "xlsx")


@bp.get("/ballots/<bid>/tally.pdf")
@require(READ_TALLY, CAST_VOTE)
def tally_pdf(bid):
    return _sheet_file(bid, "pdf")


# --- paper ballots ---------------------------------------------------------------------

def _teller_ballot(bid: str):
    """The ballot for a teller of its own body (a parent body's staff: 403)."""
    return load_ballot(bid, write=True)


def _status(ballot) -> dict:
    return {"ballot": str(ballot.id), "paper": paper.paper_status(ballot), "progress": ballots.progress(ballot)}


@bp.get("/ballots/<bid>/paper")
@require(ENTER_PAPER)
def paper_overview(bid):
    ballot = _teller_ballot(bid)
    data = _status(ballot)
    data["not_voted"] = [{"id": str(d.id), "name": d.name, "delegation": d.delegation, "number": d.number}
                         for d in ballots.deputies_not_voted(ballot)] if ballot.state == "open" else []
    data["paper_holders"] = [{"id": str(d.id), "name": d.name, "delegation": d.delegation, "number": d.number}
                             for d in paper.paper_holders(ballot)]
    return jsonify(data)


@bp.post("/ballots/<bid>/paper/issue")
@require(ENTER_PAPER)
def paper_issue(bid):
    ballot = _teller_ballot(bid)
    data = json_body()
    deputy = db.session.get(Deputy, id_value(data.get("deputy_id"), "deputy_id"))
    if deputy is None or deputy.meeting_id != ballot.meeting_id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    paper.issue_paper_ballot(ballot, deputy, actor=actor_of(current_principal()))
    return jsonify({**_status(ballot), "deputy_id": str(deputy.id), "channel": "paper"})


@bp.post("/ballots/<bid>/paper/ballots")
@require(ENTER_PAPER)
def paper_enter_ballot(bid):
    ballot = _teller_ballot(bid)
    data = json_body()
    if "choices" not in data:
        raise Refusal(400, "bad_request", "缺少字段“choices”。")
    invalid = paper.enter_ballot(ballot, data["choices"], actor=actor_of(current_principal()))
    return jsonify({**_status(ballot), "invalid": invalid}), 201


@bp.post("/ballots/<bid>/paper/totals")
@require(ENTER_PAPER)
def paper_enter_totals(bid):
    ballot = _teller_ballot(bid)
    data = json_body()
    totals = paper.enter_totals(ballot, ballots=data.get("ballots"), invalid=data.get("invalid", 0),
                                counts=data.get("counts"), actor=actor_of(current_principal()))
    return jsonify({**_status(ballot), "ballots": totals["ballots"], "invalid": totals["invalid"]}), 201


# --- the OpenAPI document --------------------------------------------------------------

FILE_TYPES = {"csv": (exports.CSV_MIMETYPE, "CSV（UTF-8，带 BOM）"), "xlsx": (exports.XLSX_MIMETYPE, "Excel 工作簿"),
              "pdf": (exports.PDF_MIMETYPE, "PDF（A4，内嵌思源黑体/Noto Sans CJK SC 子集）")}
for _extension, (_mimetype, _label) in FILE_TYPES.items():
    _path = f"/ballots/{{bid}}/tally.{_extension}"
    document(_path, "get", summary=f"计票单文件：{_label}。权限同 /tally；草稿或投票中为 409 results_not_available",
             responses={200: (_label, None)})
    PATHS[_path]["get"]["responses"]["200"]["content"] = {_mimetype: {"schema": {"type": "string", "format": "binary"}}}

PAPER_STATUS = {"type": "object", "required": ["issued", "entered", "remaining"], "properties": {
    "issued": {"type": "integer", "description": "已发放的纸质选票"},
    "entered": {"type": "integer", "description": "已录入的纸质选票（逐张与汇总之和）"},
    "remaining": {"type": "integer"}}}
STATUS = {"type": "object", "required": ["ballot", "paper", "progress"], "properties": {
    "ballot": ID, "paper": PAPER_STATUS,
    "progress": {"type": "object", "properties": {"issued": {"type": "integer"}, "cast": {"type": "integer"},
                                                  "voted": {"type": "integer"}}}}}
DEPUTIES = {"type": "array", "items": {"type": "object", "properties": {
    "id": ID, "name": {"type": "string"}, "delegation": {"type": "string"}, "number": {"type": "string"}}}}

document("/ballots/{bid}/paper", "get", summary="纸质选票情况（监票人）：发放、录入张数，未投票代表，已领纸质选票的代表",
         responses={200: ("纸质选票情况", {**STATUS, "properties": {
             **STATUS["properties"], "not_voted": DEPUTIES, "paper_holders": DEPUTIES}})})
document("/ballots/{bid}/paper/issue", "post",
         summary="发放纸质选票（监票人）：此后该代表不能在平板上投票；已在平板投票的代表为 409 already_voted；"
                 "开始表决时未签到为 403 not_eligible；未在投票中为 409 ballot_not_open",
         request={"type": "object", "required": ["deputy_id"], "properties": {"deputy_id": ID}},
         responses={200: ("已发放", {**STATUS, "properties": {
             **STATUS["properties"], "deputy_id": ID, "channel": {"type": "string", "enum": ["paper"]}}})})
document("/ballots/{bid}/paper/ballots", "post",
         summary="逐张录入纸质选票（监票人）：与电子选票同样检查；赞成超过应选数的记为无效票（作废）而不拒绝；"
                 "录入张数超过发放数为 409 paper_count_exceeded，不保存",
         request={"type": "object", "required": ["choices"], "properties": {
             "choices": {"type": "object", "additionalProperties": {"type": "string"},
                         "description": "项目编号 → yes|no|abstain 或测评选项；未选的项目按弃权计"}}},
         responses={201: ("已录入", {**STATUS, "properties": {
             **STATUS["properties"], "invalid": {"type": "boolean", "description": "是否记为无效票"}}})})
document("/ballots/{bid}/paper/totals", "post",
         summary="汇总录入一批人工清点的纸质选票（监票人）：每个项目各选择的票数与无效票数；"
                 "未填的弃权票按有效票补足；超过发放数为 409 paper_count_exceeded；"
                 "赞成票合计超过有效票可投之数为 422 too_many_yes",
         request={"type": "object", "required": ["ballots", "counts"], "properties": {
             "ballots": {"type": "integer", "description": "本批选票张数（含无效票）"},
             "invalid": {"type": "integer", "description": "其中无效票张数，缺省为 0"},
             "counts": {"type": "object", "description": "项目编号 → 选择 → 票数",
                        "additionalProperties": {"type": "object", "additionalProperties": {"type": "integer"}}}}},
         responses={201: ("已录入", {**STATUS, "properties": {
             **STATUS["properties"], "ballots": {"type": "integer"}, "invalid": {"type": "integer"}}})})
for _path in ("/ballots/{bid}/paper/issue", "/ballots/{bid}/paper/ballots", "/ballots/{bid}/paper/totals"):
    PATHS[_path]["post"]["x-error-codes"] = {
        "400": ["bad_request"], "403": ["forbidden", "not_eligible"],
        "409": ["ballot_not_open", "already_voted", "paper_count_exceeded", "paper_totals_unavailable"],
        "422": ["too_many_yes", "unknown_item", "unknown_choice"]}
