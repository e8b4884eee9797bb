"""A tally sheet as files: CSV (UTF-8 with BOM), XLSX (openpyxl), PDF (fpdf2).

Each takes the `SheetView` of the stored sheet (voting.sheets.render), never a
recount, so every file shows the figures of `GET /api/v1/ballots/<id>/tally`.
PDFs embed Noto Sans CJK SC (the GBK subset in voting/fonts/, see voting.pdf),
so Chinese shows on a machine with nothing but requirements.txt installed.
"""
import csv
import io

from voting.rules.exact import stored_fraction
from voting.sheets.render import EMPTY, SIGNATORIES, SheetView, header_lines, table_header, table_rows
from voting.textcells import append_row, csv_text

CSV_MIMETYPE = "text/csv; charset=utf-8"
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF_MIMETYPE = "application/pdf"


def file_name(view: SheetView, extension: str) -> str:
    return f"tally-{view.ballot_id}.{extension}"


def _figure_rows(view: SheetView) -> list[tuple[str, int]]:
    rows = [(label, value) for _, label, value in view.figures]
    rows += [(f"其中：{label}" if key != "sum" else "平板与纸质合计", value) for key, label, value in view.channels]
    rows.append(("回执码数", view.trackers))
    return rows


def _closing_rows(view: SheetView, verify_url: str) -> list[tuple[str, str]]:
    rows = [("说明", note) for note in view.notes] + ([("保密方式", view.secrecy)] if view.secrecy else [])
    rows += [("参与人数（签名时）", view.participations), ("回执码摘要（SHA-256）", view.trackers_sha256),
             ("审计链头（结束表决时）", view.audit_head)]
    rows += [("签名算法", "Ed25519"), ("签名公钥指纹", view.fingerprint), ("签名公钥", view.public_key),
             ("签名值", view.signature), ("核验网址", verify_url)]
    return rows


# --- CSV -------------------------------------------------------------------------------



def sheet_csv(view: SheetView, verify_url: str) -> bytes:
    """UTF-8 with a BOM so that Excel opens the Chinese text correctly."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([csv_text(view.heading)])
    for label, value in header_lines(view):
        writer.writerow([label, csv_text(value)])
    writer.writerow([])
    for label, value in _figure_rows(view):
        writer.writerow([label, value])
    writer.writerow([])
    writer.writerow(table_header(view))
    for row in table_rows(view):
        writer.writerow([csv_text(value) for value in row])
    writer.writerow([])
    for label, value in _closing_rows(view, verify_url):
        writer.writerow([label, csv_text(value)])
    writer.writerow(["签字", "　".join(f"{name}：________" for name in SIGNATORIES)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


# --- XLSX ------------------------------------------------------------------------------

COUNT_FORMAT = "#,##0"
PERCENT_FORMAT = "0.00%"
SCORE_FORMAT = "0.00"


def sheet_xlsx(view: SheetView, verify_url: str) -> bytes:
    """A header block, the reconciliation figures, the item table (counts as numbers,
    rates as percentages with the exact fraction beside them) and the signatures."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.utils import get_column_letter

    book = Workbook()
    sheet = book.active
    sheet.title = "计票单"
    header = table_header(view)
    exact_label = "得分（精确）" if view.show_score else f"{view.rate_label}（精确）"
    width = len(header) + 1
    bold = Font(bold=True)
    thin = Side(style="thin", color="999999")
    boxed = Border(left=thin, right=thin, top=thin, bottom=thin)
    shade = PatternFill("solid", fgColor="F1EFE9")

    append_row(sheet, [view.heading])
    sheet["A1"].font = Font(bold=True, size=16)
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=width)
    for label, value in header_lines(view):
        append_row(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=width)
    append_row(sheet, [])
    for label, value in _figure_rows(view):
        append_row(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.cell(row=sheet.max_row, column=2).number_format = COUNT_FORMAT
    append_row(sheet, [])

    append_row(sheet, header + [exact_label])
    header_row = sheet.max_row
    for cell in sheet[header_row]:
        cell.font, cell.fill, cell.border = bold, shade, boxed
    count_columns = range(3, 3 + len(view.columns))
    measure_column = 3 + len(view.columns)
    for item, values in zip(view.items, table_rows(view)):
        exact = item.score if view.show_score else item.rate_exact
        if view.show_score:
            values[measure_column - 1] = float(stored_fraction(item.score)) if item.score else EMPTY
        else:
            values[measure_column - 1] = float(stored_fraction(item.rate)) if item.rate else EMPTY
        append_row(sheet, values + [exact or EMPTY])
        row = sheet.max_row
        for column in count_columns:
            sheet.cell(row=row, column=column).number_format = COUNT_FORMAT
        sheet.cell(row=row, column=measure_column).number_format = SCORE_FORMAT if view.show_score else PERCENT_FORMAT
        for cell in sheet[row]:
            cell.border = boxed
    append_row(sheet, [])
    for label, value in _closing_rows(view, verify_url):
        append_row(sheet, [label, value])
        sheet.cell(row=sheet.max_row, column=1).font = bold
        sheet.merge_cells(start_row=sheet.max_row, start_column=2, end_row=sheet.max_row, end_column=width)
    append_row(sheet, [])
    append_row(sheet, [f"{name}（签字）：" for name in SIGNATORIES])

    sheet.column_dimensions["A"].width = 20
    sheet.column_dimensions["B"].width = 34
    for column in range(3, width + 1):
        sheet.column_dimensions[get_column_letter(column)].width = 13
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    for row in sheet.iter_rows():
        for cell in row:
            if cell.data_type == "f":  # text that merely looks like a formula (a title "=…") stays text
                cell.data_type = "s"
    sheet.print_options.horizontalCentered = True
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.fitToWidth = 1
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- PDF -------------------------------------------------------------------------------

def _pdf_pairs(pdf, pairs, label_width: float = 32) -> None:
    for label, value in pairs:
        pdf.set_font(style="B")
        pdf.cell(label_width, 6.5, label)
        pdf.set_font(style="")
        pdf.multi_cell(0, 6.5, str(value), new_x="LMARGIN", new_y="NEXT")


def _hex_colour(value: str) -> tuple[int, int, int]:
    return tuple(int(value[i:i + 2], 16) for i in (1, 3, 5))


def _pdf_chart(pdf, view: SheetView) -> None:
    """The sheet's chart drawn with PDF rectangles: yes votes per item (selection,
    motion) or each item's votes split by option (appraisal)."""
    from voting.sheets.charts import HIGHLIGHT, option_colour

    row, label_width, bar_width = 6.0, 45.0, 110.0
    height = row * (len(view.items) + 2) + 4
    if pdf.will_page_break(height):
        pdf.add_page()
    pdf.ln(2)
    pdf.set_font_size(10.5)
    appraisal = view.kind == "appraisal"
    pdf.cell(0, 6, "各项测评意见分布" if appraisal else "各项赞成票（满格为应到人数）", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(9)
    left = pdf.l_margin + label_width
    if appraisal:
        x = left
        for position, (choice, label) in enumerate(view.columns):
            pdf.set_fill_color(*_hex_colour(option_colour(choice, position)))
            pdf.rect(x, pdf.get_y() + 1.2, 3.5, 3.5, style="F")
            pdf.set_x(x + 4.5)
            pdf.cell(4 * len(label) + 4, row, label)
            x += 4 * len(label) + 10
        pdf.ln(row)
    yes = next((i for i, (choice, _) in enumerate(view.columns) if choice == "yes"), None)
    scale = max([view.figure("total")] + [r.counts[yes] for r in view.items if yes is not None]) or 1
    for item in view.items:
        y = pdf.get_y()
        title = item.title if len(item.title) <= 14 else item.title[:13] + "…"
        pdf.cell(label_width - 2, row, title, align="R")
        total = sum(item.counts)
        if appraisal:
            start = 0
            for position, ((choice, _), count) in enumerate(zip(view.columns, item.counts)):
                if total and count:
                    pdf.set_fill_color(*_hex_colour(option_colour(choice, position)))
                    pdf.rect(left + bar_width * start / total, y + 1, bar_width * count / total, row - 2, style="F")
                    start += count
            tail = item.score_text if item.score else item.rate_text
        else:
            count = item.counts[yes] if yes is not None else 0
            pdf.set_fill_color(*_hex_colour(HIGHLIGHT.get(item.outcome, "#8d99ae")))
            if count:
                pdf.rect(left, y + 1, bar_width * count / scale, row - 2, style="F")
            tail = str(count)
        pdf.set_xy(left + (bar_width if appraisal else bar_width * count / scale) + 2, y)
        pdf.cell(0, row, tail, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10.5)


def sheet_pdf(view: SheetView, verify_url: str, qr_png: bytes) -> bytes:
    """An A4 page (more when there are many items). Raises voting.pdf.FontMissing
    when no Chinese font can be found."""
    from voting.pdf import new_document

    pdf = new_document(font_size=10.5)
    pdf.set_title(view.heading)
    pdf.set_subject(f"{view.meeting} {view.title}")
    pdf.set_creator("民生实事票决与测评系统")

    pdf.set_font_size(17)
    pdf.multi_cell(0, 9, view.heading, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(10.5)
    pdf.cell(0, 6, f"{view.meeting}　{view.date}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    top = pdf.get_y()
    pdf.image(qr_png, x=pdf.w - pdf.r_margin - 30, y=top, w=30, h=30)
    pdf.set_right_margin(pdf.r_margin + 34)
    _pdf_pairs(pdf, [(label, value) for label, value in header_lines(view) if label != "计票规则"])
    pdf.set_right_margin(15)
    pdf.set_y(max(pdf.get_y(), top + 32))

    pdf.ln(1)
    figures = _figure_rows(view)
    pdf.set_font_size(9.5)
    for chunk in (figures[:6], figures[6:]):
        with pdf.table(text_align="CENTER", line_height=6) as table:
            labels = table.row()
            for label, _ in chunk:
                labels.cell(label)
            values = table.row()
            for _, value in chunk:
                values.cell(str(value))
        pdf.ln(1)
    pdf.set_font_size(10.5)
    pdf.ln(2)

    header = table_header(view)
    widths = [8, 40] + [14] * len(view.columns) + [18] * (len(header) - 4 - len(view.columns)) + [10, 30]
    with pdf.table(col_widths=widths, line_height=6, text_align="CENTER") as table:
        heading = table.row()
        for title in header:
            heading.cell(title)
        for values in table_rows(view):
            row = table.row()
            for index, value in enumerate(values):
                row.cell(str(value), align="LEFT" if index == 1 else "CENTER")
    pdf.ln(3)

    _pdf_pairs(pdf, [("计票规则", view.rule_text)] + ([("保密方式", view.secrecy)] if view.secrecy else [])
               + [("说明", note) for note in view.notes], label_width=22)
    _pdf_chart(pdf, view)
    pdf.ln(6)
    pdf.set_font_size(12)
    slot = (pdf.w - pdf.l_margin - pdf.r_margin) / len(SIGNATORIES)
    for name in SIGNATORIES:
        pdf.cell(slot, 10, f"{name}：__________")
    pdf.ln(14)
    pdf.set_font_size(8.5)
    pdf.multi_cell(0, 4.5, f"签名公钥指纹（Ed25519）：{view.fingerprint}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4.5, f"签名值：{view.signature}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4.5, f"参与人数：{view.participations}　回执码摘要：{view.trackers_sha256}",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4.5, f"审计链头：{view.audit_head}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 4.5, f"扫描右上角二维码或打开 {verify_url} 核验本计票单。", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
