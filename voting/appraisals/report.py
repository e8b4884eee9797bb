"""The year report (年度报告) and the files of the appraisal domain: for each selected
project of a body's year, its selection result, its supervision status, its appraisal
rounds and its final standing; and the officials' ranking for the cadre assessment.
Every figure is read from signed tally sheets (voting.rules counted them)."""
from datetime import date

from sqlalchemy import select

from voting.appraisals.models import AppraisalCampaign, AppraisalItem
from voting.appraisals.services import (
    REREPORT, RankRow, item_history, result_words, sheet_of,
)
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.tracking import services as tracking
from voting.textcells import append_row, sheet_bytes, titled_sheet





def selection_of(project) -> dict | None:
    """The selection ballot that chose the project, its round and the yes votes."""
    item = project.ballot_item
    if item is None:
        return None
    ballot = db.session.get(Ballot, item.ballot_id)
    sheet = sheet_of(ballot) if ballot is not None else None
    entry = next((e for e in (sheet or {}).get("items", []) if str(e["id"]) == str(item.id)), None)
    return {"ballot_id": ballot.id, "title": ballot.heading, "round": ballot.round,
            "yes": entry["counts"].get("yes") if entry else None,
            "total": (sheet or {}).get("total"), "outcome": entry.get("outcome_text") if entry else "—"}


def standing(history, rereport=None) -> str:
    if not history:
        return "未测评"
    last = history[-1]
    if last.entry is None:
        return f"第{last.round}轮测评中"
    outcome = last.entry["outcome"]
    if outcome == REREPORT:
        report = last.rereport
        if report is None:
            return f"第{last.round}轮未达标，须再办理、再报告"
        if report.submitted:
            return f"第{last.round}轮未达标，已再报告，待再次测评"
        return f"第{last.round}轮未达标，须于 {report.due_date.isoformat()} 前再报告"
    if outcome == "no_valid_votes":
        return f"第{last.round}轮无有效票"
    return f"{result_words(last.entry)}（第{last.round}轮）"


def year_report(body_id: int, year: int, today: date) -> list[dict]:
    supervision = {row["id"]: row for row in tracking.year_report(body_id, year, today)}
    projects = tracking.staff_projects(body_id, year)
    items = list(db.session.scalars(select(AppraisalItem).join(AppraisalCampaign).where(
        AppraisalCampaign.body_id == body_id, AppraisalCampaign.year == year, AppraisalItem.kind == "project")
        .order_by(AppraisalCampaign.id, AppraisalItem.position)))
    by_project: dict = {}
    for item in items:
        by_project.setdefault(item.project_id, []).append(item)
    rows = []
    for project in projects:
        rounds = []
        last_history = []
        for item in by_project.get(project.id, []):
            history = item_history(item)
            for row in history:
                rounds.append({"campaign": item.campaign.title, "campaign_id": item.campaign_id, "item_id": item.id,
                               "round": row.round, "ballot_id": row.ballot.id, "rate": row.rate,
                               "result": row.result, "rereport": row.rereport})
            if history:
                last_history = history
        rows.append({"project": project, "supervision": supervision.get(str(project.id)),
                     "selection": selection_of(project), "rounds": rounds, "standing": standing(last_history)})
    return rows


def _selection_text(selection) -> str:
    if selection is None:
        return "直接列入"
    yes = f"赞成 {selection['yes']} 票" if selection["yes"] is not None else ""
    return f"{selection['title']}{yes}，{selection['outcome']}"


def _rounds_text(rounds) -> str:
    if not rounds:
        return "未测评"
    return "；".join(f"第{r['round']}轮 满意率 {r['rate']} {r['result']}" for r in rounds)


def _supervision_text(supervision) -> str:
    if not supervision:
        return "—"
    return f"{supervision['status_text']}，进度 {supervision['progress']}%"


HEADERS = ("序号", "项目", "责任单位", "票决结果", "督办情况", "测评情况", "最终结果")


def report_rows(rows) -> list[list[str]]:
    return [[str(i), row["project"].title, row["project"].department or "待定", _selection_text(row["selection"]),
             _supervision_text(row["supervision"]), _rounds_text(row["rounds"]), row["standing"]]
            for i, row in enumerate(rows, start=1)]


def report_xlsx(body_name: str, year: int, rows) -> bytes:
    book, sheet = titled_sheet(f"{year}年度报告", f"{body_name} {year} 年民生实事项目年度报告", HEADERS)
    for values in report_rows(rows):
        append_row(sheet, values)
    return sheet_bytes(book, sheet, (6, 30, 18, 36, 18, 48, 30), wrap_rows_from=3)


def report_pdf(body_name: str, year: int, rows) -> bytes:
    """Raises voting.pdf.FontMissing when no Chinese font is installed."""
    from voting.pdf import new_document

    pdf = new_document(orientation="L", font_size=9.5)
    pdf.set_title(f"{body_name} {year} 年民生实事项目年度报告")
    pdf.set_font_size(15)
    pdf.cell(0, 10, f"{body_name} {year} 年民生实事项目年度报告", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font_size(9.5)
    pdf.cell(0, 7, f"共 {len(rows)} 个项目", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(8, 40, 24, 48, 26, 66, 40), line_height=5.5,
                   text_align=("CENTER", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT", "LEFT")) as table:
        header = table.row()
        for title in HEADERS:
            header.cell(title)
        for values in report_rows(rows):
            row = table.row()
            for value in values:
                row.cell(value.replace("—", "-"))
    return bytes(pdf.output())


CADRE_HEADERS = ("名次", "姓名", "职务", "单位", "任命日期", "得分", "等次", "满意", "基本满意", "不满意", "不了解", "弃权")


def cadre_xlsx(campaign: AppraisalCampaign, rows: list[RankRow]) -> bytes:
    """The officials' results for the cadre assessment (干部考核): rank, score, grade, counts."""
    book, sheet = titled_sheet("述职评议结果", f"{campaign.title}（{campaign.year}年）述职评议结果", CADRE_HEADERS)
    for row in rows:
        official = row.item.official
        counts = row.counts
        append_row(sheet, [row.rank, official.name, official.post, official.department,
                           official.appointed_on.isoformat() if official.appointed_on else "",
                           row.score if row.entry else "",
                           row.grade if row.entry else "", counts.get("satisfied"), counts.get("basically_satisfied"),
                           counts.get("unsatisfied"), counts.get("unknown"), counts.get("abstain")])
    append_row(sheet, [])
    append_row(sheet, ["得分为加权平均分（两位小数，四舍五入；精确值见计票单），得分相同的名次并列。"])
    return sheet_bytes(book, sheet, (6, 12, 24, 24, 12, 10, 10, 8, 10, 8, 8, 8))
