"""Liaison stations (代表联络站) and deputies' personal codes: created, edited, imported."""
import csv
import io

from sqlalchemy import select

from voting.inputlimits import id_from
from voting.errors import Refusal, invalid
from voting.collection.models import DeputyCode, LiaisonStation, Proposal
from voting.extensions import db, one_action
from voting.integrity import audit
from voting.collection.texts import CODE_PATTERN, clean_text


def normalize_code(raw) -> str:
    return raw.strip().upper() if isinstance(raw, str) else ""


def _checked_code(raw, label: str = "编码") -> tuple[str, str | None]:
    code = normalize_code(raw)
    if not code:
        return "", f"请填写{label}。"
    if not CODE_PATTERN.match(code):
        return "", f"{label}只能由字母、数字和“-”组成，2 至 32 位，且不能以“-”开头。"
    return code, None


def station_by_code(code: str) -> LiaisonStation | None:
    code = normalize_code(code)
    return db.session.execute(select(LiaisonStation).filter_by(code=code)).scalar_one_or_none() if code else None


def deputy_code_by_code(code: str) -> DeputyCode | None:
    code = normalize_code(code)
    return db.session.execute(select(DeputyCode).filter_by(code=code)).scalar_one_or_none() if code else None


def _station_fields(data: dict) -> tuple[dict, dict]:
    errors, fields = {}, {}
    fields["code"], problem = _checked_code(data.get("code"), "站点编码")
    if problem:
        errors["code"] = problem
    for name, label, required, high in (("name", "站点名称", True, 120), ("township", "所在乡镇（街道）", False, 60),
                                        ("address", "地址", False, 200)):
        fields[name], problem = clean_text(data.get(name), label, required=required, max_length=high)
        if problem:
            errors[name] = problem
    return fields, errors


@one_action
def create_station(body_id: int, data: dict, actor: str) -> LiaisonStation:
    fields, errors = _station_fields(data)
    if not errors and station_by_code(fields["code"]) is not None:
        errors["code"] = f"站点编码 {fields['code']} 已被使用。"
    if errors:
        raise invalid(errors, "invalid_station")
    station = LiaisonStation(body_id=body_id, **fields)
    db.session.add(station)
    db.session.flush()
    audit.record("station_created", actor=actor, subject=f"station:{station.id}", body_id=body_id,
                 details={"code": station.code, "name": station.name})
    db.session.commit()
    return station


@one_action
def update_station(station: LiaisonStation, data: dict, actor: str) -> LiaisonStation:
    fields, errors = _station_fields(data)
    if not errors and fields["code"] != station.code and station_by_code(fields["code"]) is not None:
        errors["code"] = f"站点编码 {fields['code']} 已被使用。"
    if errors:
        raise invalid(errors, "invalid_station")
    changes = {k: [getattr(station, k), v] for k, v in fields.items() if getattr(station, k) != v}
    for name, value in fields.items():
        setattr(station, name, value)
    audit.record("station_updated", actor=actor, subject=f"station:{station.id}", body_id=station.body_id,
                 details={"changes": changes})
    db.session.commit()
    return station


STATION_CSV_HEADER = ["code", "name", "township", "address"]


class ImportRejected(Refusal):
    """A station file refused; `problems` lists every bad line for the stations page."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__(400, "invalid_import", "；".join(problems[:5]) + ("……" if len(problems) > 5 else ""))


def decode_upload(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportRejected(["文件编码无法识别，请另存为 UTF-8 编码的 CSV 文件。"])


@one_action
def import_stations(body_id: int, text: str, actor: str) -> list[LiaisonStation]:
    """Import `code,name,township,address` rows. Every bad row is reported by its line
    number, and nothing is imported until the whole file is clean."""
    rows = list(csv.reader(io.StringIO(text)))
    if not rows:
        raise ImportRejected(["文件是空的。"])
    header = [cell.strip().lower() for cell in rows[0]]
    if header != STATION_CSV_HEADER:
        raise ImportRejected([f"第 1 行：表头必须是 {','.join(STATION_CSV_HEADER)}。"])
    problems, pending, seen = [], [], {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(STATION_CSV_HEADER):
            problems.append(f"第 {line} 行：应有 {len(STATION_CSV_HEADER)} 列，实有 {len(row)} 列。")
            continue
        fields, errors = _station_fields(dict(zip(STATION_CSV_HEADER, row)))
        if not errors:
            if fields["code"] in seen:
                errors["code"] = f"站点编码 {fields['code']} 与第 {seen[fields['code']]} 行重复。"
            elif station_by_code(fields["code"]) is not None:
                errors["code"] = f"站点编码 {fields['code']} 已被使用。"
            seen.setdefault(fields["code"], line)
        if errors:
            problems.extend(f"第 {line} 行：{message}" for message in errors.values())
        else:
            pending.append(fields)
    if not pending and not problems:
        problems.append("文件中没有站点数据。")
    if problems:
        raise ImportRejected(problems)
    stations = [LiaisonStation(body_id=body_id, **fields) for fields in pending]
    db.session.add_all(stations)
    db.session.flush()
    audit.record("stations_imported", actor=actor, subject=f"body:{body_id}", body_id=body_id,
                 details={"created": len(stations), "codes": [s.code for s in stations]})
    db.session.commit()
    return stations


@one_action
def create_deputy_code(body_id: int, data: dict, actor: str) -> DeputyCode:
    errors = {}
    code, problem = _checked_code(data.get("code"), "代表编码")
    if problem:
        errors["code"] = problem
    elif deputy_code_by_code(code) is not None:
        errors["code"] = f"代表编码 {code} 已被使用。"
    name, problem = clean_text(data.get("deputy_name"), "代表姓名", required=True, max_length=64)
    if problem:
        errors["deputy_name"] = problem
    station_id = data.get("station_id") or None
    if station_id is not None:
        station = db.session.get(LiaisonStation, id_from(station_id)) if id_from(station_id) is not None else None
        if station is None or station.body_id != body_id:
            errors["station_id"] = "所选联络站不存在。"
    if errors:
        raise invalid(errors, "invalid_deputy_code")
    entry = DeputyCode(body_id=body_id, code=code, deputy_name=name, station_id=int(station_id) if station_id else None)
    db.session.add(entry)
    db.session.flush()
    audit.record("deputy_code_created", actor=actor, subject=f"deputy_code:{entry.id}", body_id=body_id,
                 details={"code": code, "deputy_name": name})
    db.session.commit()
    return entry


def stations_of(body_id: int) -> list[LiaisonStation]:
    return list(db.session.execute(
        select(LiaisonStation).filter_by(body_id=body_id).order_by(LiaisonStation.code)).scalars())


def townships_of(body_id: int) -> list[str]:
    rows = db.session.execute(
        select(LiaisonStation.township).filter_by(body_id=body_id).where(LiaisonStation.township != "")
        .union(select(Proposal.township).filter_by(body_id=body_id).where(Proposal.township != ""))
    ).scalars()
    return sorted(set(rows))
