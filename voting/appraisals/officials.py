"""Appointed officials (述职对象): entered or imported from a CSV/XLSX roster, all or nothing."""
import io
import zipfile
from datetime import date, datetime

from sqlalchemy import select

from voting.errors import invalid
from voting.extensions import db
from voting.integrity import audit
from voting.appraisals.models import Official
from voting.appraisals.campaigns import MAX_OFFICIALS, _clean, _date


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
