"""Reading an uploaded roster file (CSV or XLSX) into the rows the roster service
imports. Line numbers are the file's own (the header is line 1), so every problem
the import reports points at the row to fix."""
import io
import zipfile
from datetime import date, datetime

from voting.errors import RosterError
from voting.meetings.services import HEADER_ALIASES, ROSTER_FIELDS, parse_roster_csv

XLSX_SUFFIXES = (".xlsx", ".xlsm")
CSV_SUFFIXES = (".csv", ".txt")


def parse_roster_upload(filename: str, data: bytes) -> list[tuple[int, dict]]:
    """Rows of a CSV (UTF-8, header name,delegation,number or 姓名,代表团,编号) or an
    XLSX file (the first sheet, same header on its first row)."""
    name = (filename or "").lower()
    if not data:
        raise RosterError([(1, "上传的文件是空的")])
    if name.endswith(XLSX_SUFFIXES) or data[:2] == b"PK":
        return parse_roster_xlsx(data)
    if name and not name.endswith(CSV_SUFFIXES):
        raise RosterError([(1, "只支持 CSV（.csv）或 Excel（.xlsx）文件")])
    return parse_roster_csv(decode_csv(data))


def decode_csv(data: bytes) -> str:
    """UTF-8 (with or without BOM); else GB18030, which is what Excel's plain "CSV"
    writes on a Chinese Windows (GBK is a subset). A file that is neither is refused
    with the lines that cannot be read, so the clerk knows where to look."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030")
    except UnicodeDecodeError:
        pass
    bad = []
    for number, line in enumerate(data.splitlines(), start=1):
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad.append((number, "这一行含有无法识别的字符编码：请把文件另存为“CSV UTF-8（逗号分隔）”后重新上传"))
        if len(bad) >= 20:
            break
    raise RosterError(bad or [(1, "CSV 文件须为 UTF-8 编码（Excel 中“另存为 CSV UTF-8”）")])


def _cell_text(value) -> str:
    """Numbers typed into Excel come back as int or float: 7 and 7.0 are "7"."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def parse_roster_xlsx(data: bytes) -> list[tuple[int, dict]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise RosterError([(1, f"无法读取 Excel 文件（{type(error).__name__}），请确认是 .xlsx 格式")])
    try:
        sheet = workbook.worksheets[0] if workbook.worksheets else None
        if sheet is None:
            raise RosterError([(1, "Excel 文件中没有工作表")])
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        if header is None:
            raise RosterError([(1, "工作表为空，缺少表头 name,delegation,number")])
        columns = [HEADER_ALIASES.get(_cell_text(cell).strip(), _cell_text(cell).strip().lower()) for cell in header]
        missing = [field for field in ("name", "number") if field not in columns]
        if missing:
            raise RosterError([(1, f"表头缺少列：{', '.join(missing)}（应为 name,delegation,number 或 姓名,代表团,编号）")])
        parsed = []
        for line, cells in enumerate(rows, start=2):
            texts = [_cell_text(cell) for cell in cells]
            if not any(text.strip() for text in texts):
                continue
            parsed.append((line, {column: texts[i] if i < len(texts) else "" for i, column in enumerate(columns)
                                  if column in ROSTER_FIELDS}))
        return parsed
    finally:
        workbook.close()


TEMPLATE_HEADERS = ("姓名", "代表团", "编号")  # the aliases of ROSTER_FIELDS, in that order


def roster_template_xlsx() -> bytes:
    """An empty roster to fill in: the import's header on the first sheet (read back
    by parse_roster_xlsx), how to fill it on a second."""
    from openpyxl import Workbook
    from openpyxl.styles import Font

    assert tuple(HEADER_ALIASES[h] for h in TEMPLATE_HEADERS) == ROSTER_FIELDS
    book = Workbook()
    sheet = book.active
    sheet.title = "代表名单"
    sheet.append(list(TEMPLATE_HEADERS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for column, width in zip("ABC", (16, 24, 12)):
        sheet.column_dimensions[column].width = width
        sheet.column_dimensions[column].number_format = "@"  # text: "007" must not become 7
    notes = book.create_sheet("填写说明")
    for line in ("从“代表名单”第 2 行起每行一名代表；第 1 行表头不要改动。",
                 "姓名：必填，最多 64 字。",
                 "代表团：可空，最多 64 字。",
                 "编号：必填，本次会议内不得重复（如代表证号或座位号），最多 32 字。",
                 "导入时有任何错误，整份名单都不导入，并逐行列出问题。"):
        notes.append([line])
    notes.column_dimensions["A"].width = 80
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
