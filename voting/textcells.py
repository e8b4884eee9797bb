"""User text in exports stays text: the one escaping rule for CSV and XLSX.

A cell whose text starts with = + - @ (or a tab or carriage return) is run as a formula
by Excel, WPS and LibreOffice ("=HYPERLINK(...)" in a project title, "=1+2" as a
department). No export of this service writes a formula of its own, so:

- CSV (`csv_text`): such text gets a leading apostrophe, the convention the
  spreadsheets show as text (OWASP "CSV injection").
- XLSX (`append_row`): every string is written as a string cell (data type "s"),
  whatever it starts with; the text is kept exactly, without an apostrophe.

The lists of this service share one layout (`titled_sheet`, `sheet_bytes`): a bold title
in A1, bold column headers in row 2, the rows, set column widths.
"""
import io

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def formula_like(value) -> bool:
    return isinstance(value, str) and value.startswith(FORMULA_START)


def csv_text(value):
    """A CSV cell: formula-like text gets a leading apostrophe; anything else unchanged."""
    return "'" + value if formula_like(value) else value


def append_row(sheet, values) -> None:
    """`sheet.append(values)`, with every string cell written as text, never a formula."""
    sheet.append(list(values))
    for cell in sheet[sheet.max_row]:
        if isinstance(cell.value, str):
            cell.data_type = "s"


def titled_sheet(sheet_title: str, title: str, headers):
    """(workbook, its sheet) with `title` in bold in A1 and `headers` in bold in row 2."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = sheet_title
    append_row(sheet, [title])
    sheet["A1"].font = Font(bold=True, size=14)
    append_row(sheet, list(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    return book, sheet


def sheet_bytes(book, sheet, widths, wrap_rows_from: int | None = None) -> bytes:
    """The workbook as .xlsx bytes, its columns A, B, ... `widths` wide; from row
    `wrap_rows_from` on, cells wrap their text and align to the top."""
    from openpyxl.styles import Alignment
    from openpyxl.utils import get_column_letter

    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    if wrap_rows_from is not None:
        for row in sheet.iter_rows(min_row=wrap_rows_from):
            for cell in row:
                cell.alignment = Alignment(wrap_text=True, vertical="top")
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def csv_download(text: str, filename: str):
    """A CSV file as a download, UTF-8 with a byte-order mark so that Excel reads the Chinese."""
    from flask import Response

    return Response(text.encode("utf-8-sig"), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_download(data: bytes, filename: str):
    """An .xlsx file as a download."""
    from flask import Response

    return Response(data, mimetype=XLSX_MIMETYPE, headers={"Content-Disposition": f'attachment; filename="{filename}"'})
