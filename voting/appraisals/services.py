"""Appraisal operations: campaigns, items, officials' import, the round-1 ballot,
re-report marking and submission, the re-appraisal round, rankings, comments.

Counting is never done here: every figure comes from the signed tally sheet the core
stored at close (voting.ballots), computed by voting.rules. Services validate first,
then write, record the audit entry and commit once; refusals raise `Refusal`
(an Refusal with a Chinese message and, for forms and imports, the problems).
"""
import hashlib
import io
import json
import os
import secrets
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction
from pathlib import Path

from sqlalchemy import select

from voting.inputlimits import id_from, small_int
from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting.ballots import services as ballots
from voting.ballots.models import Ballot, BallotState
from voting.extensions import db
from voting.integrity import audit
from voting.integrity.canonical import canonical_json
from voting.meetings.models import Deputy, Meeting
from voting.appraisals.models import (
    AppraisalCampaign, AppraisalComment, AppraisalItem, Official, Rereport, RereportAttachment,
)
from voting.rules import APPRAISAL, OPTION_NAMES, OUTCOME_NAMES, RuleError, rule_from_json, rule_text
from voting.rules.exact import percent_text, rounded_half_up
from voting.tracking.models import LivelihoodProject

BASE_OPTIONS = ["satisfied", "basically_satisfied", "unsatisfied"]
EXTRA_OPTIONS = ("unknown", "abstain")
MODE_LABELS = {"rate": "满意率", "graded": "等次评定（常委会）", "weighted": "加权评分（述职评议）"}
VERDICT_NAMES = {"satisfied": "满意", "basically_satisfied": "基本满意", "unsatisfied": "不满意"}
REREPORT = "rereport_required"
MAX_ATTACHMENTS = 5
DEFAULT_ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
ATTACHMENT_FOLDER = "rereports"
MAX_COMMENT = 500
MAX_OFFICIALS = 500


def conflict(message: str, code: str = "invalid_transition") -> Refusal:
    return Refusal(409, code, message)


def _clean(value, label: str, high: int, required: bool = True) -> tuple[str, str | None]:
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return "", (f"请填写{label}。" if required else None)
    if len(text) > high:
        return "", f"{label}不能超过{high}个字。"
    return text, None


def _date(value, label: str, required: bool = True) -> tuple[date | None, str | None]:
    if isinstance(value, date):
        return value, None
    text = value.strip() if isinstance(value, str) else ""
    if not text:
        return None, (f"请填写{label}。" if required else None)
    try:
        parsed = date.fromisoformat(text.replace("/", "-").replace(".", "-"))
    except ValueError:
        return None, f"{label}应为日期，如 2026-06-30。"
    if not 1950 <= parsed.year <= 2100:
        return None, f"{label}超出合理范围。"
    return parsed, None


# ---------------------------------------------------------------- campaigns

def options_with(unknown: bool, abstain: bool) -> list[str]:
    return BASE_OPTIONS + (["unknown"] if unknown else []) + (["abstain"] if abstain else [])


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").replace("；", "\n").splitlines() if line.strip()]


def rule_from_form(data: dict) -> dict:
    """The rule JSON of voting.rules from the campaign form's fields:
    mode; threshold (rate: fraction "4/5", inclusive, base); weights and bands
    (weighted: "满意 100" lines are not needed: one field per option, and bands as
    "90 优秀" lines); below label. Raises Refusal on anything rule_from_json refuses."""
    mode = (data.get("mode") or "rate").strip()
    rule: dict = {"mode": mode}
    if mode == "graded":
        # A standing committee's verdict is against its whole membership; only the share varies.
        fraction = (data.get("graded_fraction") or "").strip()
        if fraction:
            rule["threshold"] = {"fraction": fraction, "inclusive": False, "base": "all"}
    elif mode == "rate":
        fraction = (data.get("fraction") or "").strip()
        if fraction:
            threshold = {"fraction": fraction, "inclusive": data.get("inclusive") in ("1", "on", "true", True)}
            base = (data.get("base") or "").strip()
            if base:
                threshold["base"] = base
            rule["threshold"] = threshold
    elif mode == "weighted":
        weights = {}
        for option in BASE_OPTIONS + ["abstain"]:
            raw = (data.get(f"weight_{option}") or "").strip()
            if raw:
                weights[option] = small_int(raw, 18) if small_int(raw, 18) is not None else raw
        if weights:
            rule["weights"] = weights
        bands_text = data.get("bands")
        if bands_text is not None:
            bands = []
            for line in _lines(bands_text):
                minimum, _, label = line.partition(" ")
                bands.append([small_int(minimum, 18) if small_int(minimum, 18) is not None else minimum, label.strip()])
            rule["bands"] = bands
        below = (data.get("below") or "").strip()
        if below:
            rule["below"] = below
    return rule


def checked_rule(rule: dict, options: list[str]) -> dict:
    """The rule with every default filled in, as the ballot will store it."""
    try:
        parsed = rule_from_json(APPRAISAL, rule)
    except RuleError as error:
        raise invalid({"rule": f"测评规则有误：{error}"}, "invalid_rule")
    weights = getattr(parsed, "weights", None)
    if weights:
        stray = sorted(set(weights) - set(options))
        if stray:
            names = "、".join(OPTION_NAMES.get(o, o) for o in stray)
            raise invalid({"rule": f"计分的选项不在本次测评的选项中：{names}"}, "invalid_rule")
    return parsed.to_json()


def describe_rule(rule: dict) -> str:
    return rule_text(APPRAISAL, rule_from_json(APPRAISAL, rule))


def create_campaign(body_id: int, data: dict, actor: str) -> AppraisalCampaign:
    errors = {}
    title, problem = _clean(data.get("title"), "测评名称", 200)
    if problem:
        errors["title"] = problem
    raw_year = str(data.get("year") or "").strip()
    year = small_int(raw_year)
    if year is None or not 2000 <= year <= 2100:
        errors["year"] = "请填写年度，如 2026。"
    options = options_with(bool(data.get("unknown")), bool(data.get("abstain")))
    rule = None
    try:
        rule = checked_rule(data.get("rule") if isinstance(data.get("rule"), dict) else rule_from_form(data), options)
    except Refusal as error:
        errors.update(error.errors)
    if errors:
        raise invalid(errors, "invalid_campaign")
    campaign = AppraisalCampaign(body_id=body_id, year=year, title=title, options_json=json.dumps(options),
                                 rule_json=canonical_json(rule).decode(), created_by=actor)
    db.session.add(campaign)
    db.session.flush()
    audit.record("appraisal_campaign_created", actor=actor, subject=f"appraisal:{campaign.id}", body_id=body_id,
                 details={"title": title, "year": year, "options": options, "rule": rule})
    db.session.commit()
    return campaign


def campaigns_of(body_id: int, year: int | None = None) -> list[AppraisalCampaign]:
    query = select(AppraisalCampaign).where(AppraisalCampaign.body_id == body_id)
    if year is not None:
        query = query.where(AppraisalCampaign.year == year)
    return list(db.session.scalars(query.order_by(AppraisalCampaign.year.desc(), AppraisalCampaign.id.desc())))


def _editable(campaign: AppraisalCampaign) -> None:
    if campaign.ballot_id is not None:
        raise conflict("测评表决已经生成，不能再更改测评项目。")


def candidate_projects(campaign: AppraisalCampaign) -> list[LivelihoodProject]:
    taken = {item.project_id for item in campaign.items if item.project_id}
    projects = db.session.scalars(select(LivelihoodProject).where(
        LivelihoodProject.body_id == campaign.body_id, LivelihoodProject.year == campaign.year)
        .order_by(LivelihoodProject.id))
    return [p for p in projects if p.id not in taken]


def candidate_officials(campaign: AppraisalCampaign) -> list[Official]:
    taken = {item.official_id for item in campaign.items if item.official_id}
    officials = db.session.scalars(select(Official).where(Official.body_id == campaign.body_id)
                                   .order_by(Official.department, Official.id))
    return [o for o in officials if o.id not in taken]


def add_items(campaign: AppraisalCampaign, *, project_ids=(), official_ids=(), actor: str) -> list[AppraisalItem]:
    """Add projects of the campaign's body and year, and officials of its body."""
    _editable(campaign)
    projects = {p.id: p for p in candidate_projects(campaign)}
    officials = {o.id: o for o in candidate_officials(campaign)}
    wanted_projects = [id_from(i) for i in project_ids if id_from(i) is not None]
    wanted_officials = [id_from(i) for i in official_ids if id_from(i) is not None]
    unknown = [i for i in wanted_projects if i not in projects] + [i for i in wanted_officials if i not in officials]
    if unknown:
        raise Refusal(404, "not_found", "所选的项目或人员不存在、不属于本年度，或已在本次测评中。")
    if not wanted_projects and not wanted_officials:
        raise invalid({"items": "请至少选择一个项目或一名人员。"}, "invalid_items")
    position = max((item.position for item in campaign.items), default=0)
    added = []
    for pid in dict.fromkeys(wanted_projects):
        position += 1
        added.append(AppraisalItem(campaign_id=campaign.id, body_id=campaign.body_id, kind="project",
                                   position=position, project_id=pid))
    for oid in dict.fromkeys(wanted_officials):
        position += 1
        added.append(AppraisalItem(campaign_id=campaign.id, body_id=campaign.body_id, kind="official",
                                   position=position, official_id=oid))
    db.session.add_all(added)
    db.session.flush()
    audit.record("appraisal_items_added", actor=actor, subject=f"appraisal:{campaign.id}", body_id=campaign.body_id,
                 details={"projects": wanted_projects, "officials": wanted_officials})
    db.session.commit()
    return added


def remove_item(item: AppraisalItem, actor: str) -> None:
    campaign = item.campaign
    _editable(campaign)
    audit.record("appraisal_item_removed", actor=actor, subject=f"appraisal:{campaign.id}", body_id=campaign.body_id,
                 details={"item": item.id, "reference": item.reference})
    db.session.delete(item)
    db.session.commit()


# ---------------------------------------------------------------- officials

OFFICIAL_FIELDS = ("name", "post", "department", "appointed_on")
OFFICIAL_HEADERS = {"姓名": "name", "职务": "post", "单位": "department", "所在单位": "department",
                    "部门": "department", "任命日期": "appointed_on", "任职时间": "appointed_on",
                    "name": "name", "post": "post", "department": "department", "appointed_on": "appointed_on"}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def _rows_from_table(table) -> list[tuple[int, dict]]:
    """(line, {field: text}) from an iterator of rows whose first row is the header."""
    header = next(table, None)
    if header is None:
        raise invalid({1: "第1行：文件为空，缺少表头 姓名,职务,单位,任命日期"}, "invalid_import")
    columns = [OFFICIAL_HEADERS.get(_cell(cell), OFFICIAL_HEADERS.get(_cell(cell).lower())) for cell in header]
    missing = [label for label, field in (("姓名", "name"), ("职务", "post"), ("单位", "department"))
               if field not in columns]
    if missing:
        raise invalid({1: f"第1行：表头缺少列 {'、'.join(missing)}（应为 姓名,职务,单位,任命日期）"}, "invalid_import")
    rows = []
    for line, cells in enumerate(table, start=2):
        texts = [_cell(cell) for cell in cells]
        if not any(texts):
            continue
        rows.append((line, {column: texts[i] if i < len(texts) else ""
                            for i, column in enumerate(columns) if column}))
    return rows


def parse_officials_upload(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """Rows of a CSV (UTF-8) or XLSX (first sheet) with header 姓名,职务,单位,任命日期."""
    import csv

    name = (filename or "").lower()
    if not data:
        raise invalid({1: "第1行：上传的文件是空的"}, "invalid_import")
    if name.endswith((".xlsx", ".xlsm")) or data[:2] == b"PK":
        from openpyxl import load_workbook

        try:
            workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError):
            raise invalid({1: "第1行：无法读取 Excel 文件，请确认是 .xlsx 格式"}, "invalid_import")
        try:
            if not workbook.worksheets:
                raise invalid({1: "第1行：Excel 文件中没有工作表"}, "invalid_import")
            return _rows_from_table(workbook.worksheets[0].iter_rows(values_only=True))
        finally:
            workbook.close()
    if name and not name.endswith((".csv", ".txt")):
        raise invalid({1: "第1行：只支持 CSV（.csv）或 Excel（.xlsx）文件"}, "invalid_import")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise invalid({1: "第1行：CSV 文件须为 UTF-8 编码（Excel 中“另存为 CSV UTF-8”）"}, "invalid_import")
    return _rows_from_table(iter(csv.reader(io.StringIO(text))))


def import_officials(body_id: int, rows: list[tuple[int, dict]], actor: str) -> list[Official]:
    """All rows or none: every bad row is reported by its line number."""
    problems: dict = {}
    if not rows:
        raise invalid({1: "第1行：文件中没有人员"}, "invalid_import")
    if len(rows) > MAX_OFFICIALS:
        raise invalid({1: f"第1行：一次最多导入{MAX_OFFICIALS}人"}, "invalid_import")
    existing = {(o.name, o.post) for o in db.session.scalars(select(Official).where(Official.body_id == body_id))}
    seen: dict = {}
    checked = []
    for line, row in rows:
        messages = []
        values = {}
        for field, label, high in (("name", "姓名", 64), ("post", "职务", 120), ("department", "单位", 120)):
            values[field], problem = _clean(row.get(field), label, high)
            if problem:
                messages.append(problem)
        values["appointed_on"], problem = _date(row.get("appointed_on"), "任命日期", required=False)
        if problem:
            messages.append(problem)
        key = (values["name"], values["post"])
        if values["name"] and values["post"]:
            if key in existing:
                messages.append(f"{values['name']}（{values['post']}）已在名单中")
            elif key in seen:
                messages.append(f"与第{seen[key]}行重复")
            else:
                seen[key] = line
        if messages:
            problems[line] = f"第{line}行：" + "；".join(messages)
        else:
            checked.append(values)
    if problems:
        raise invalid(problems, "invalid_import")
    created = [Official(body_id=body_id, **values) for values in checked]
    db.session.add_all(created)
    db.session.flush()
    audit.record("officials_imported", actor=actor, subject=f"body:{body_id}", body_id=body_id,
                 details={"count": len(created)})
    db.session.commit()
    return created


def officials_of(body_id: int) -> list[Official]:
    return list(db.session.scalars(select(Official).where(Official.body_id == body_id)
                                   .order_by(Official.department, Official.id)))


# ---------------------------------------------------------------- ballots and rounds

def meetings_for(campaign: AppraisalCampaign) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.body_id == campaign.body_id,
                                                         Meeting.closed_at.is_(None)).order_by(Meeting.id.desc())))


def create_ballot(campaign: AppraisalCampaign, meeting: Meeting, actor: str) -> Ballot:
    """Round 1: a draft `appraisal` ballot in `meeting` holding the campaign's items
    (reference "project:<id>" / "official:<id>"), with the campaign's options and rule."""
    if meeting.body_id != campaign.body_id:
        raise Refusal(404, "not_found", "未找到该会议。")
    if campaign.ballot_id is not None:
        raise conflict("本次测评已经生成过表决。")
    if meeting.closed_at is not None:
        raise conflict("会议已经结束，不能再新建表决。")
    if not campaign.items:
        raise invalid({"items": "请先添加测评项目。"}, "invalid_items")
    items = [{"title": item.title[:200], "reference": item.reference,
              "description": f"责任单位：{item.department}" if item.department else ""} for item in campaign.items]
    ballot = ballots.new_ballot(meeting, kind=APPRAISAL, title=campaign.title, items=items,
                                 rule=campaign.rule, options=campaign.options)
    campaign.meeting_id, campaign.ballot_id = meeting.id, ballot.id
    audit.record("ballot_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"kind": APPRAISAL, "title": ballot.title, "items": len(items), "seats": None,
                          "appraisal": campaign.id})
    db.session.commit()
    return ballot


def rounds(campaign: AppraisalCampaign) -> list[Ballot]:
    """Round 1 and every re-appraisal after it, in order."""
    chain, ballot, seen = [], campaign.ballot, set()
    while ballot is not None and ballot.id not in seen:
        chain.append(ballot)
        seen.add(ballot.id)
        ballot = db.session.scalar(select(Ballot).where(Ballot.parent_id == ballot.id).order_by(Ballot.id).limit(1))
    return chain


def sheet_of(ballot: Ballot) -> dict | None:
    return ballots.stored_sheet(ballot) if ballot.results_available else None


def _entries_by_reference(ballot: Ballot, sheet: dict | None) -> dict:
    """reference → (BallotItem, sheet entry or None)."""
    by_id = {str(entry["id"]): entry for entry in (sheet or {}).get("items", [])}
    return {item.reference: (item, by_id.get(str(item.id))) for item in ballot.items if item.reference}


def display_rate(entry: dict | None) -> str:
    if not entry or entry.get("rate") is None:
        return "—"
    return percent_text(Fraction(entry["rate"]))


def display_score(value) -> str:
    if value is None:
        return "—"
    return rounded_half_up(Fraction(value), 2)


def result_words(entry: dict | None) -> str:
    if entry is None:
        return "—"
    if entry.get("verdict"):
        word = VERDICT_NAMES.get(entry["verdict"], entry["verdict"])
        return word + ("，须再办理、再报告" if entry["outcome"] == REREPORT else "")
    if entry.get("grade"):
        return entry["grade"] + ("，须再办理、再报告" if entry["outcome"] == REREPORT else "")
    return entry.get("outcome_text") or OUTCOME_NAMES.get(entry["outcome"], entry["outcome"])


@dataclass
class RoundRow:
    ballot: Ballot
    item: object          # the BallotItem of this round
    entry: dict | None     # the sheet entry (None before close)
    rereport: Rereport | None

    @property
    def round(self) -> int:
        return self.ballot.round

    @property
    def rate(self) -> str:
        return display_rate(self.entry)

    @property
    def score(self) -> str:
        return display_score(self.entry.get("score")) if self.entry else "—"

    @property
    def result(self) -> str:
        if self.entry is None:
            return BallotState(self.ballot.state).label
        return result_words(self.entry)


def item_history(item: AppraisalItem) -> list[RoundRow]:
    """Round 1 → re-report → round 2 → …: each round that holds the item."""
    rereports = {r.ballot_id: r for r in item.rereports}
    rows = []
    for ballot in rounds(item.campaign):
        found = _entries_by_reference(ballot, sheet_of(ballot)).get(item.reference)
        if found is None:
            continue
        ballot_item, entry = found
        rows.append(RoundRow(ballot, ballot_item, entry, rereports.get(ballot.id)))
    return rows


def final_outcome(item: AppraisalItem) -> str | None:
    history = item_history(item)
    if not history or history[-1].entry is None:
        return None
    return history[-1].entry["outcome"]


def latest_round(campaign: AppraisalCampaign) -> Ballot | None:
    chain = rounds(campaign)
    return chain[-1] if chain else None


def failing_items(campaign: AppraisalCampaign, ballot: Ballot) -> list[tuple[AppraisalItem, dict]]:
    """Items of this round that are re-report required, by the signed sheet."""
    entries = _entries_by_reference(ballot, sheet_of(ballot))
    out = []
    for item in campaign.items:
        found = entries.get(item.reference)
        if found and found[1] and found[1]["outcome"] == REREPORT:
            out.append((item, found[1]))
    return out


def mark_rereports(campaign: AppraisalCampaign, due_date, actor: str) -> list[Rereport]:
    """After close: every item under the threshold gets a 再办理、再报告 record with a
    due date for its department. Idempotent for items already marked."""
    ballot = latest_round(campaign)
    if ballot is None or not ballot.results_available:
        raise conflict("测评表决结束后才能标记须再办理、再报告的项目。")
    due, problem = _date(due_date, "再报告期限")
    if problem:
        raise invalid({"due_date": problem}, "invalid_due_date")
    failing = failing_items(campaign, ballot)
    if not failing:
        raise conflict("本轮没有须再办理、再报告的项目。")
    marked = {r.item_id for r in db.session.scalars(select(Rereport).where(Rereport.ballot_id == ballot.id))}
    created = []
    for item, entry in failing:
        if item.id in marked:
            continue
        created.append(Rereport(item_id=item.id, body_id=campaign.body_id, ballot_id=ballot.id, round=ballot.round,
                                department=item.department or "", due_date=due,
                                rate=entry.get("rate") or entry.get("score"), created_by=actor))
    if not created:
        raise conflict("本轮须再办理、再报告的项目都已标记。")
    db.session.add_all(created)
    db.session.flush()
    audit.record("rereports_marked", actor=actor, subject=f"ballot:{ballot.id}", body_id=campaign.body_id,
                 details={"appraisal": campaign.id, "items": [r.item_id for r in created],
                          "due_date": due.isoformat()})
    db.session.commit()
    return created


def reappraisal_problems(campaign: AppraisalCampaign) -> list[str]:
    """What stops the re-appraisal round (empty when it may start)."""
    ballot = latest_round(campaign)
    if ballot is None or not ballot.results_available:
        return ["本轮测评尚未结束。"]
    failing = failing_items(campaign, ballot)
    if not failing:
        return ["本轮没有须再办理、再报告的项目。"]
    reports = {r.item_id: r for r in db.session.scalars(select(Rereport).where(Rereport.ballot_id == ballot.id))}
    problems = []
    for item, _ in failing:
        report = reports.get(item.id)
        if report is None:
            problems.append(f"“{item.title}”尚未标记再办理、再报告。")
        elif not report.submitted:
            problems.append(f"“{item.title}”的责任单位（{report.department or '未设定'}）尚未提交再报告。")
    return problems


def start_reappraisal(campaign: AppraisalCampaign, actor: str, meeting: Meeting | None = None) -> Ballot:
    """The core's re-appraisal: a new draft round (round + 1, parent = this round)
    of the items that were rereport_required, in `meeting` (default: the meeting of
    the last round); round 1 is never touched. Refused until every such item has
    been marked and its department has submitted the re-report."""
    problems = reappraisal_problems(campaign)
    if problems:
        raise Refusal(409, "reappraisal_not_ready", "；".join(problems), {"reappraisal": problems})
    if meeting is not None and meeting.body_id != campaign.body_id:
        raise Refusal(404, "not_found", "没有这次会议。")
    return ballots.start_reappraisal(latest_round(campaign), actor=actor, meeting=meeting)


def campaign_of_ballot(ballot: Ballot) -> AppraisalCampaign | None:
    """The campaign whose round 1 is this ballot or one of its ancestors, if any."""
    root, seen = ballot, set()
    while root.parent_id is not None and root.parent_id not in seen:
        seen.add(root.id)
        root = db.session.get(Ballot, root.parent_id)
    return db.session.scalar(select(AppraisalCampaign).where(AppraisalCampaign.ballot_id == root.id))


# ---------------------------------------------------------------- re-reports (departments)

def rereports_for_department(principal) -> list[Rereport]:
    if not principal.department:
        return []
    return list(db.session.scalars(select(Rereport).where(
        Rereport.body_id == principal.body_id, Rereport.department == principal.department)
        .order_by(Rereport.submitted_at.is_not(None), Rereport.due_date, Rereport.id)))


def may_see_item(principal, item: AppraisalItem) -> bool:
    """A department account sees only its own department's items."""
    if principal.role != "department":
        return True
    return bool(principal.department) and principal.body_id == item.body_id and item.department == principal.department


def attachment_max_bytes() -> int:
    from flask import current_app

    return int(current_app.config.get("REREPORT_ATTACHMENT_MAX_BYTES") or DEFAULT_ATTACHMENT_MAX_BYTES)


@dataclass
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    extension: str


def check_attachment(name: str, data: bytes) -> CheckedFile:
    """PDF, JPEG or PNG judged by content, within the size limit."""
    label = f"附件“{name}”" if name else "附件"
    limit = attachment_max_bytes()
    if not data:
        raise invalid({"attachments": f"{label}是空文件。"}, "invalid_attachment")
    if len(data) > limit:
        raise invalid({"attachments": f"{label}超过 {limit // (1024 * 1024)} MB。"}, "invalid_attachment")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise invalid({"attachments": f"{label}不是完整的 PDF 文件。"}, "invalid_attachment")
        return CheckedFile(name, data, "application/pdf", "pdf")
    from voting.collection.services import check_photo

    try:
        photo = check_photo(data, name)
    except Refusal:
        raise invalid({"attachments": f"{label}不是 PDF、JPG 或 PNG 文件。"}, "invalid_attachment") from None
    return CheckedFile(name, photo.data, photo.content_type, photo.extension)


def attachment_dir() -> Path:
    from voting.collection.services import upload_dir

    return upload_dir() / ATTACHMENT_FOLDER


def attachment_path(attachment: RereportAttachment) -> Path:
    return attachment_dir() / attachment.stored_name


def submit_rereport(rereport: Rereport, principal, text, files: list[tuple[str, bytes]],
                    now: datetime | None = None) -> Rereport:
    """The department's re-report: text plus attachments, written once."""
    if principal.role != "department" or principal.body_id != rereport.body_id \
            or not principal.department or principal.department != rereport.department:
        raise Refusal(403, "forbidden", "只有该项目的责任单位可以提交再报告。")
    if rereport.submitted:
        raise conflict("再报告已经提交，不能再修改。")
    if rereport.ballot.id != latest_round(rereport.item.campaign).id:
        raise conflict("已经开始下一轮测评，不能再提交本轮的再报告。")
    errors = {}
    body, problem = _clean(text, "再报告内容", 20000)
    if problem:
        errors["text"] = problem
    files = [(n, d) for n, d in files if n or d]
    checked = []
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = f"一次最多上传{MAX_ATTACHMENTS}个附件。"
    else:
        try:
            checked = [check_attachment(n, d) for n, d in files]
        except Refusal as error:
            errors.update(error.errors)
    if errors:
        raise invalid(errors, "invalid_rereport")
    now = now or utcnow()
    rereport.text, rereport.submitted_by, rereport.submitted_at = body, principal.username, now
    folder = attachment_dir()
    written: list[Path] = []
    try:
        if checked:
            folder.mkdir(parents=True, exist_ok=True)
        for file in checked:
            stored = f"{secrets.token_hex(16)}.{file.extension}"
            path = folder / stored
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            with os.fdopen(fd, "wb") as handle:
                handle.write(file.data)
            written.append(path)
            db.session.add(RereportAttachment(rereport_id=rereport.id, body_id=rereport.body_id,
                                              original_name=(file.name or f"附件.{file.extension}")[:200],
                                              stored_name=stored, content_type=file.content_type,
                                              size=len(file.data), sha256=hashlib.sha256(file.data).hexdigest()))
        audit.record("rereport_submitted", actor=principal.username, subject=f"rereport:{rereport.id}",
                     body_id=rereport.body_id, details={"item": rereport.item_id, "attachments": len(checked)})
        db.session.commit()
    except Exception:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return rereport


# ---------------------------------------------------------------- officials: ranking and comments

@dataclass
class RankRow:
    item: AppraisalItem
    entry: dict | None

    @property
    def rank(self):
        return self.entry.get("rank") if self.entry else None

    @property
    def score(self) -> str:
        return display_score(self.entry.get("score")) if self.entry else "—"

    @property
    def grade(self) -> str:
        return (self.entry.get("grade") or "—") if self.entry else "—"

    @property
    def counts(self) -> dict:
        return self.entry["counts"] if self.entry else {}


def ranking(campaign: AppraisalCampaign) -> list[RankRow]:
    """Officials of round 1 by the sheet's competition rank (equal scores share a
    rank); those without a score come last, by position."""
    ballot = campaign.ballot
    sheet = sheet_of(ballot) if ballot is not None else None
    entries = _entries_by_reference(ballot, sheet) if ballot is not None else {}
    rows = [RankRow(item, (entries.get(item.reference) or (None, None))[1])
            for item in campaign.items if item.kind == "official"]
    return sorted(rows, key=lambda r: (r.rank is None, r.rank or 0, r.item.position))


def comment_targets(deputy: Deputy) -> list[AppraisalCampaign]:
    """Campaigns voted in the deputy's meeting that have officials to comment on."""
    campaigns = db.session.scalars(select(AppraisalCampaign).where(
        AppraisalCampaign.meeting_id == deputy.meeting_id).order_by(AppraisalCampaign.id))
    return [c for c in campaigns if any(i.kind == "official" for i in c.items)]


def add_comments(deputy: Deputy, campaign: AppraisalCampaign, texts: dict) -> int:
    """Anonymous comments: {item_id: text}; empty texts are skipped. Nothing that
    names the deputy, nor the time, is stored or audited."""
    if campaign.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "未找到该测评。")
    items = {str(item.id): item for item in campaign.items if item.kind == "official"}
    errors, chosen = {}, []
    for key, raw in texts.items():
        text, problem = _clean(raw, "意见", MAX_COMMENT, required=False)
        if problem:
            errors[key] = problem
        elif text:
            if key not in items:
                raise Refusal(404, "not_found", "未找到该测评对象。")
            chosen.append((items[key], text))
    if errors:
        raise invalid(errors, "invalid_comment")
    if not chosen:
        raise invalid({"text": "请至少填写一条意见。"}, "invalid_comment")
    for item, text in chosen:
        db.session.add(AppraisalComment(id=secrets.token_hex(16), item_id=item.id, body_id=item.body_id, text=text))
    db.session.commit()
    return len(chosen)


def comments_of(item: AppraisalItem) -> list[str]:
    """Texts in an order that says nothing about when they came: sorted by text."""
    return sorted(db.session.scalars(select(AppraisalComment.text).where(AppraisalComment.item_id == item.id)))
