"""User text in exports stays text: the one escaping rule for CSV and XLSX.

A cell whose text starts with = + - @ (or a tab or carriage return) is run as a formula
by Excel, WPS and LibreOffice ("=HYPERLINK(...)" in a project title, "=1+2" as a
department). No export of this service writes a formula of its own, so:

- CSV (`csv_text`): such text gets a leading apostrophe, the convention the
  spreadsheets show as text (OWASP "CSV injection").
- XLSX (`append_row`): every string is written as a string cell (data type "s"),
  whatever it starts with; the text is kept exactly, without an apostrophe.
"""
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
