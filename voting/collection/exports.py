"""The candidate list of a year as XLSX (openpyxl) and PDF (fpdf2) for review."""
from decimal import Decimal

from voting.collection.models import Candidate
from voting.textcells import append_row, sheet_bytes, titled_sheet

HEADERS = ["序号", "项目名称", "项目内容", "预算（万元）", "责任单位", "计划完成时间", "来源建议"]


def _row(index: int, candidate: Candidate) -> list:
    sources = "、".join(p.tracking_code for p in candidate.proposals) or "直接录入"
    completion = candidate.planned_completion.isoformat() if candidate.planned_completion else ""
    return [index, candidate.title, candidate.description, candidate.budget, candidate.department, completion, sources]


def candidates_xlsx(body_name: str, year: int, candidates: list[Candidate]) -> bytes:
    book, sheet = titled_sheet(f"{year}年候选项目", f"{body_name} {year} 年民生实事候选项目（征求意见稿）", HEADERS)
    for index, candidate in enumerate(candidates, start=1):
        append_row(sheet, _row(index, candidate))
        sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    total = sum((c.budget for c in candidates), Decimal("0"))
    append_row(sheet, ["", "合计", f"{len(candidates)} 个项目", total, "", "", ""])
    sheet.cell(row=sheet.max_row, column=4).number_format = "#,##0.00"
    return sheet_bytes(book, sheet, (6, 28, 50, 14, 22, 14, 30), wrap_rows_from=3)


def candidates_pdf(body_name: str, year: int, candidates: list[Candidate]) -> bytes:
    """Raises voting.pdf.FontMissing when no Chinese font is installed."""
    from voting.pdf import new_document

    pdf = new_document(orientation="L", font_size=10)
    pdf.set_title(f"{body_name} {year} 年民生实事候选项目")
    pdf.set_font_size(16)
    pdf.cell(0, 10, f"{body_name} {year} 年民生实事候选项目（征求意见稿）", new_x="LMARGIN", new_y="NEXT", align="C")
    pdf.set_font_size(10)
    total = sum((c.budget for c in candidates), Decimal("0"))
    pdf.cell(0, 8, f"共 {len(candidates)} 个候选项目，预算合计 {total:,.2f} 万元", new_x="LMARGIN", new_y="NEXT")
    with pdf.table(col_widths=(10, 40, 85, 22, 35, 25, 50), text_align=("CENTER", "LEFT", "LEFT", "RIGHT", "LEFT", "CENTER", "LEFT"),
                   line_height=6) as table:
        header = table.row()
        for title in HEADERS:
            header.cell(title)
        for index, candidate in enumerate(candidates, start=1):
            values = _row(index, candidate)
            values[3] = f"{candidate.budget:,.2f}"
            values[2] = values[2] if len(values[2]) <= 300 else values[2][:300] + "……"
            row = table.row()
            for value in values:
                row.cell(str(value))
    return bytes(pdf.output())
