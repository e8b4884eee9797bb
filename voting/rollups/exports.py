"""The roll-up as an Excel workbook (openpyxl)."""
from io import BytesIO

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from voting.rollups.services import Rollup
from voting.tracking.progress import STATUS_LABELS
from voting.textcells import append_row

HEADERS = ["人大机构", "层级", "票决产生项目（项）", "总投资（万元）", "责任单位"] + \
    [f"{label}（项）" for label in STATUS_LABELS.values()] + \
    ["测评项目（项）", "满意（项）", "再办理、再报告（项）", "满意率低于80%的项目（项）"]
NOTE = ("测评项目：项目实施情况报告与述职评议对象，各计一次；满意：最近一轮测评达到满意标准；"
        "再办理、再报告：至少一轮被要求再办理、再报告（含述职评议）；"
        "满意率低于80%的项目：按满意率测评的项目实施情况报告，最近一轮满意率未达到该次测评规定的比例（一般为80%）。")
LEVELS = {"province": "省", "city": "市", "county": "县", "township": "乡镇"}


def rollup_xlsx(data: Rollup) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = f"{data.year}年汇总"
    append_row(sheet, [f"{data.parent.name} {data.year} 年民生实事项目汇总"])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, [data.summary])
    append_row(sheet, [])
    append_row(sheet, HEADERS)
    for cell in sheet[4]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(wrap_text=True, vertical="center")
    for row in data.rows:
        append_row(sheet, [row.body.name, LEVELS.get(row.body.level, row.body.level), row.projects, row.budget,
                      "、".join(row.departments)] + [row.statuses.get(s, 0) for s in STATUS_LABELS] +
                     [row.appraised, row.satisfactory, row.rereport, row.below_bar])
    append_row(sheet, ["合计", "", data.projects, data.budget, ""] + [data.status_total(s) for s in STATUS_LABELS] +
                 [data.appraised, data.satisfactory, data.rereport, data.below_bar])
    for row in sheet.iter_rows(min_row=5, min_col=4, max_col=4):
        row[0].number_format = "#,##0.00"
    widths = [26, 8, 12, 14, 40] + [10] * (len(STATUS_LABELS) + 4)
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[sheet.cell(row=4, column=index).column_letter].width = width
    append_row(sheet, [])
    append_row(sheet, [NOTE])
    out = BytesIO()
    book.save(out)
    return out.getvalue()
