"""Collection operations: stations, deputy codes, intake, screening, candidates.

Every write validates first, then changes rows, records the audit entry and the
proposal's history, and commits once. Bad input raises `Refusal` (or its subclass
`invalid(...)`, a Refusal carrying a message per field) before anything is written.
"""
import csv
import hashlib
import io
import os
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from flask import current_app
from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from voting.inputlimits import id_from
from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting.collection import search, similarity
from voting.collection.models import (
    CATEGORIES, SOURCES, STATUS_LABELS, TRANSITIONS, Candidate, DeputyCode, LiaisonStation, Proposal,
    ProposalEvent, ProposalPhoto,
)
from voting.extensions import db
from voting.integrity import audit

TRACKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"  # no 0/O, 1/I/L
TRACKING_PREFIX = "MS"
CODE_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,31}$")
MAX_PHOTOS = 3
DEFAULT_PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_TYPES = {"JPEG": ("image/jpeg", "jpg", b"\xff\xd8\xff"), "PNG": ("image/png", "png", b"\x89PNG\r\n\x1a\n")}
_FORBIDDEN_FORMAT = {"\u202a", "\u202b", "\u202c", "\u202d", "\u202e", "\u2066", "\u2067", "\u2068", "\u2069"}


# ---------------------------------------------------------------- text checks

def clean_text(value, label: str, *, required: bool, min_length: int = 0, max_length: int,
               multiline: bool = False) -> tuple[str, str | None]:
    """(cleaned value, problem or None). Control characters are refused, not stripped,
    so that what is stored is exactly what the person saw."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        return "", f"“{label}”必须是文本。"
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n")).strip()
    if not value:
        return "", f"请填写“{label}”。" if required else None
    for char in value:
        if char in _FORBIDDEN_FORMAT or (unicodedata.category(char) == "Cc" and not (multiline and char in "\n\t")):
            return "", f"“{label}”含有不允许的控制字符。"
    if len(value) < min_length:
        return "", f"“{label}”至少需要 {min_length} 个字。"
    if len(value) > max_length:
        return "", f"“{label}”不能超过 {max_length} 个字（现有 {len(value)} 个）。"
    return value, None


PROPOSAL_FIELDS = {
    # name: (label, required, min, max, multiline)
    "title": ("标题", True, 4, 60, False),
    "description": ("具体内容", True, 10, 2000, True),
    "township": ("乡镇（街道）", False, 0, 60, False),
    "location": ("具体地点", False, 0, 200, False),
    "contact": ("联系方式", False, 0, 100, False),
    "proposer": ("提出人", False, 0, 120, False),
}


def validate_proposal(data: dict) -> dict:
    """The cleaned fields of a proposal, or a Refusal listing every problem."""
    cleaned, errors = {}, {}
    for name, (label, required, low, high, multiline) in PROPOSAL_FIELDS.items():
        value, problem = clean_text(data.get(name), label, required=required, min_length=low,
                                    max_length=high, multiline=multiline)
        if problem:
            errors[name] = problem
        cleaned[name] = value
    category = data.get("category")
    if not isinstance(category, str) or category.strip() not in CATEGORIES:
        errors["category"] = "请从列表中选择类别：" + "、".join(CATEGORIES) + "。"
    else:
        cleaned["category"] = category.strip()
    if errors:
        raise invalid(errors, "invalid_proposal")
    return cleaned


# ---------------------------------------------------------------- photos

@dataclass
class CheckedPhoto:
    data: bytes
    content_type: str
    extension: str


def photo_max_bytes() -> int:
    return int(current_app.config.get("PHOTO_MAX_BYTES") or DEFAULT_PHOTO_MAX_BYTES)


def check_photo(data: bytes, name: str = "") -> CheckedPhoto:
    """Accept JPEG and PNG only, judged by content (magic bytes and Pillow), not by name."""
    label = f"照片“{name}”" if name else "照片"
    limit = photo_max_bytes()
    if not data:
        raise invalid({"photos": f"{label}是空文件。"}, "invalid_photo")
    if len(data) > limit:
        raise invalid({"photos": f"{label}超过 {limit // (1024 * 1024)} MB，请压缩后再上传。"}, "invalid_photo")
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        kind = None
    if kind not in PHOTO_TYPES or not data.startswith(PHOTO_TYPES[kind][2]):
        raise invalid({"photos": f"{label}不是有效的 JPG 或 PNG 图片。"}, "invalid_photo")
    content_type, extension, _ = PHOTO_TYPES[kind]
    return CheckedPhoto(data, content_type, extension)


def upload_dir() -> Path:
    configured = current_app.config.get("UPLOAD_DIR")
    return Path(configured) if configured else Path(current_app.instance_path) / "uploads"


def photo_path(photo: ProposalPhoto) -> Path:
    return upload_dir() / "proposals" / photo.stored_name


# ---------------------------------------------------------------- stations and codes

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


# ---------------------------------------------------------------- intake

def new_tracking_code() -> str:
    while True:
        raw = "".join(secrets.choice(TRACKING_ALPHABET) for _ in range(8))
        code = f"{TRACKING_PREFIX}-{raw[:4]}-{raw[4:]}"
        if db.session.execute(select(Proposal.id).filter_by(tracking_code=code)).first() is None:
            return code


def normalize_tracking_code(raw) -> str:
    if not isinstance(raw, str):
        return ""
    compact = re.sub(r"[\s\-]", "", raw.upper())
    if compact.startswith(TRACKING_PREFIX):
        compact = compact[len(TRACKING_PREFIX):]
    if len(compact) != 8 or any(c not in TRACKING_ALPHABET for c in compact):
        return ""
    return f"{TRACKING_PREFIX}-{compact[:4]}-{compact[4:]}"


def find_by_tracking_code(raw) -> Proposal | None:
    code = normalize_tracking_code(raw)
    if not code:
        return None
    return db.session.execute(select(Proposal).filter_by(tracking_code=code)).scalar_one_or_none()


def refused_submission() -> Refusal:
    """A submission refused without saying why (a filled honeypot)."""
    return Refusal(400, "submission_refused", "提交未成功，请稍后重试。")


def submit_proposal(data: dict, *, body_id: int, station: LiaisonStation | None = None,
                    deputy_code: DeputyCode | None = None, source: str = "public",
                    photos: list[tuple[str, bytes]] = (), honeypot: str = "", actor: str = "public") -> Proposal:
    """Store a new proposal with its photos. Nothing is stored when anything is wrong."""
    if honeypot and honeypot.strip():
        raise refused_submission()
    if source not in SOURCES:
        raise invalid({"source": "来源不正确。"}, "invalid_proposal")
    errors = {}
    try:
        fields = validate_proposal(data)
    except Refusal as refused:
        errors.update(refused.errors)
        fields = {}
    photos = [(name, raw) for name, raw in photos if name or raw]
    checked: list[CheckedPhoto] = []
    if len(photos) > MAX_PHOTOS:
        errors["photos"] = f"最多上传 {MAX_PHOTOS} 张照片。"
    else:
        for name, raw in photos:
            try:
                checked.append(check_photo(raw, name))
            except Refusal as refused:
                errors["photos"] = refused.errors["photos"]
                break
    if errors:
        raise invalid(errors, "invalid_proposal")
    if deputy_code is not None and station is None:
        station = deputy_code.station
    if not fields["township"] and station is not None:
        fields["township"] = station.township
    proposal = Proposal(body_id=body_id, station_id=station.id if station else None,
                        deputy_code_id=deputy_code.id if deputy_code else None,
                        tracking_code=new_tracking_code(), source=source, status="pending", **fields)
    if deputy_code is not None and not proposal.proposer:
        proposal.proposer = f"{deputy_code.deputy_name}代表"
    db.session.add(proposal)
    db.session.flush()
    written = _store_photos(proposal, checked)
    try:
        _event(proposal, "submitted", actor, None, "pending", note=SOURCES[source])
        audit.record("proposal_submitted", actor=actor, subject=f"proposal:{proposal.id}", body_id=body_id,
                     details={"source": source, "station": station.code if station else None,
                              "deputy_code": deputy_code.code if deputy_code else None, "photos": len(written)})
        search.index_proposals([proposal.id])
        db.session.commit()
    except Exception:
        db.session.rollback()
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return proposal


def _store_photos(proposal: Proposal, checked: list[CheckedPhoto]) -> list[Path]:
    folder = upload_dir() / "proposals"
    written: list[Path] = []
    try:
        if checked:
            folder.mkdir(parents=True, exist_ok=True)
        for photo in checked:
            name = f"{secrets.token_hex(16)}.{photo.extension}"
            path = folder / name
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
            with os.fdopen(fd, "wb") as handle:
                handle.write(photo.data)
            written.append(path)
            db.session.add(ProposalPhoto(proposal_id=proposal.id, body_id=proposal.body_id, stored_name=name,
                                         content_type=photo.content_type, size=len(photo.data),
                                         sha256=hashlib.sha256(photo.data).hexdigest()))
        db.session.flush()
    except Exception:
        for path in written:
            path.unlink(missing_ok=True)
        raise
    return written


def public_status(proposal: Proposal) -> dict:
    """What the proposer may see through the tracking code: never the contact."""
    merged_into = proposal.merged_into
    text = STATUS_LABELS[proposal.status]
    if merged_into is not None:
        text = f"已合并至“{merged_into.title}”"
    return {
        "title": proposal.title,
        "status": proposal.status,
        "status_text": text,
        "reply": proposal.reply or (merged_into.reply if merged_into is not None else ""),
        "decline_reason": proposal.decline_reason if proposal.status == "declined" else "",
        "merged_into": merged_into.title if merged_into is not None else None,
        "submitted_at": proposal.created_at.strftime("%Y-%m-%d"),
    }


def similar_titles(body_id: int, query: str, limit: int = 5) -> list[str]:
    """Titles of existing proposals of the body that look like `query` (for the intake
    page): candidates from the index (voting.collection.search), scored by Dice."""
    if len(similarity.bigrams(query)) < 2:
        return []
    ids = search.candidate_ids(body_id, query, title_only=True)
    rows = db.session.execute(
        select(Proposal.title, Proposal.description).where(Proposal.id.in_(ids))
        .where(Proposal.status.notin_(["declined", "merged"])).order_by(Proposal.id)).all() if ids else []
    best = similarity.rank(query, rows, key=lambda row: row.title, threshold=0.3, limit=limit * 2)
    titles = []
    for _, row in best:
        if row.title not in titles:
            titles.append(row.title)
    return titles[:limit]


def similar_proposals(proposal: Proposal, limit: int = 8) -> list[tuple[float, Proposal]]:
    """Proposals of the same body like this one (the screening page): candidates from
    the index, each scored by the better of its title's and its full text's Dice."""
    ids = search.candidate_ids(proposal.body_id, proposal.title + proposal.description, exclude=proposal.id)
    if not ids:
        return []
    title_grams = similarity.bigrams(proposal.title)
    full_grams = similarity.bigrams(proposal.title + proposal.description)
    scored = []
    for other_id, title, description in db.session.execute(
            select(Proposal.id, Proposal.title, Proposal.description).where(Proposal.id.in_(ids))):
        score = max(similarity.dice(title_grams, similarity.bigrams(title)),
                    similarity.dice(full_grams, similarity.bigrams(title + description)))
        if score >= 0.2:
            scored.append((score, other_id))
    scored.sort(key=lambda pair: (-pair[0], pair[1]))
    scored = scored[:limit]
    found = {other.id: other for other in db.session.scalars(
        select(Proposal).where(Proposal.id.in_([other_id for _, other_id in scored])))}
    return [(score, found[other_id]) for score, other_id in scored]


# ---------------------------------------------------------------- screening

def _event(proposal: Proposal, action: str, actor: str, from_status, to_status, note: str = "") -> None:
    db.session.add(ProposalEvent(proposal_id=proposal.id, body_id=proposal.body_id, actor=actor[:64],
                                 action=action, from_status=from_status, to_status=to_status, note=note))


def _audit(proposal: Proposal, action: str, actor: str, **details) -> None:
    audit.record(action, actor=actor, subject=f"proposal:{proposal.id}", body_id=proposal.body_id, details=details)


def _guard(proposal: Proposal, to_status: str) -> None:
    if to_status not in STATUS_LABELS:
        raise invalid({"status": "状态不正确。"}, "invalid_status")
    if to_status not in TRANSITIONS[proposal.status]:
        raise Refusal(409, "invalid_transition",
                       f"“{STATUS_LABELS[proposal.status]}”的建议不能改为“{STATUS_LABELS[to_status]}”。")


def _move(proposal: Proposal, to_status: str, actor: str, action: str, note: str = "", **details) -> None:
    before = proposal.status
    proposal.status = to_status
    proposal.updated_at = utcnow()
    _event(proposal, action, actor, before, to_status, note)
    _audit(proposal, f"proposal_{action}", actor, from_status=before, to_status=to_status, note=note, **details)


# Statuses set by the plain status form; the others have their own operation.
PLAIN_STATUSES = ("pending", "studying", "shortlisted")


def change_status(proposal: Proposal, to_status: str, actor: str, note: str = "") -> Proposal:
    if to_status not in PLAIN_STATUSES:
        raise invalid({"status": "请选择待审、研究中或拟列为候选；合并、不予采纳和列入候选另有操作。"}, "invalid_status")
    note, problem = clean_text(note, "备注", required=False, max_length=500, multiline=True)
    if problem:
        raise invalid({"note": problem})
    if proposal.status == "candidate":
        raise Refusal(409, "invalid_transition", "该建议已列入候选项目；如需改变，请先在候选项目清单中取消关联。")
    _guard(proposal, to_status)
    _move(proposal, to_status, actor, "status_changed", note)
    if proposal.status != "declined":
        proposal.decline_reason = ""
    db.session.commit()
    return proposal


def decline(proposal: Proposal, reason, actor: str) -> Proposal:
    reason, problem = clean_text(reason, "不予采纳的理由", required=True, min_length=2, max_length=500, multiline=True)
    if problem:
        raise invalid({"reason": problem}, "reason_required")
    _guard(proposal, "declined")
    proposal.decline_reason = reason
    _move(proposal, "declined", actor, "declined", reason)
    db.session.commit()
    return proposal


def merge(proposal: Proposal, target: Proposal, actor: str) -> Proposal:
    """Merge `proposal` into `target`. Both rows stay with their proposers; proposals
    already merged into `proposal` now point at `target` too."""
    if target.id == proposal.id:
        raise Refusal(409, "invalid_transition", "不能把建议合并到它自己。")
    if target.body_id != proposal.body_id:
        raise Refusal(404, "not_found", "未找到要合并到的建议。")
    if target.status in ("merged", "declined"):
        raise Refusal(409, "invalid_transition", f"目标建议“{target.title}”{STATUS_LABELS[target.status]}，不能作为合并目标。")
    _guard(proposal, "merged")
    carried = list(proposal.merged_from)  # loaded before any change: the row checks hold at every flush
    note = f"合并至 #{target.id}“{target.title}”"
    with db.session.no_autoflush:
        proposal.merged_into_id = target.id
        _move(proposal, "merged", actor, "merged", note, target=target.id, carried=[c.id for c in carried])
    _event(target, "absorbed", actor, target.status, target.status, f"并入 #{proposal.id}“{proposal.title}”")
    for child in carried:
        child.merged_into_id = target.id
        _event(child, "merged", actor, "merged", "merged", f"随 #{proposal.id} 一并合并至 #{target.id}“{target.title}”")
        _event(target, "absorbed", actor, target.status, target.status, f"并入 #{child.id}“{child.title}”")
    db.session.commit()
    return proposal


def set_reply(proposal: Proposal, reply, actor: str) -> Proposal:
    reply, problem = clean_text(reply, "答复", required=False, max_length=2000, multiline=True)
    if problem:
        raise invalid({"reply": problem})
    proposal.reply = reply
    proposal.updated_at = utcnow()
    _event(proposal, "replied", actor, proposal.status, proposal.status, reply)
    _audit(proposal, "proposal_replied", actor, length=len(reply))
    db.session.commit()
    return proposal


def proposal_query(body_id: int, filters: dict):
    query = select(Proposal).filter_by(body_id=body_id)
    if filters.get("station"):
        query = query.where(Proposal.station_id == filters["station"])
    if filters.get("category"):
        query = query.where(Proposal.category == filters["category"])
    if filters.get("township"):
        query = query.where(Proposal.township == filters["township"])
    if filters.get("status"):
        query = query.where(Proposal.status == filters["status"])
    if filters.get("q"):
        needle = f"%{filters['q']}%"
        query = query.where(or_(Proposal.title.like(needle), Proposal.description.like(needle),
                                Proposal.location.like(needle), Proposal.tracking_code == filters["q"].upper()))
    return query.order_by(Proposal.id.desc())


def statistics(body_id: int) -> dict[str, list[tuple[str, int]]]:
    def grouped(column):
        rows = db.session.execute(
            select(column, func.count(Proposal.id)).select_from(Proposal).filter_by(body_id=body_id)
            .group_by(column)).all()
        return rows

    station_names = {s.id: s.name for s in stations_of(body_id)}
    by_station = [(station_names.get(sid, "（未经联络站）") if sid else "（未经联络站）", n)
                  for sid, n in grouped(Proposal.station_id)]
    merged: dict[str, int] = {}
    for label, n in by_station:
        merged[label] = merged.get(label, 0) + n
    by_category = dict(grouped(Proposal.category))
    by_township = [(t or "（未填写）", n) for t, n in grouped(Proposal.township)]
    by_status = dict(grouped(Proposal.status))
    return {
        "station": sorted(merged.items(), key=lambda kv: (-kv[1], kv[0])),
        "category": [(c, by_category.get(c, 0)) for c in CATEGORIES],
        "township": sorted(by_township, key=lambda kv: (-kv[1], kv[0])),
        "status": [(STATUS_LABELS[s], by_status.get(s, 0)) for s in STATUS_LABELS],
    }


# ---------------------------------------------------------------- candidates

def parse_budget(raw) -> tuple[Decimal | None, str | None]:
    text = str(raw).strip().replace(",", "") if raw is not None else ""
    if not text:
        return None, "请填写预算（万元）。"
    try:
        value = Decimal(text)
    except InvalidOperation:
        return None, "预算必须是数字（万元）。"
    if not value.is_finite() or value < 0:
        return None, "预算不能为负数。"
    if value >= Decimal("10000000000") or value != value.quantize(Decimal("0.01")):
        return None, "预算最多两位小数，且不超过 99 亿万元。"
    return value.quantize(Decimal("0.01")), None


def parse_date(raw) -> tuple[date | None, str | None]:
    if isinstance(raw, date):
        return raw, None
    text = str(raw or "").strip()
    if not text:
        return None, None
    try:
        return date.fromisoformat(text), None
    except ValueError:
        return None, "计划完成时间应为日期，如 2026-12-31。"


def _candidate_fields(data: dict) -> dict:
    errors, fields = {}, {}
    year = data.get("year")
    try:
        fields["year"] = int(str(year).strip())
        if not 2000 <= fields["year"] <= 2100:
            raise ValueError
    except (TypeError, ValueError):
        errors["year"] = "年度应为四位数字，如 2026。"
    for name, label, required, low, high, multiline in (("title", "项目名称", True, 2, 60, False),
                                                         ("description", "项目内容", False, 0, 2000, True),
                                                         ("department", "责任单位", True, 2, 120, False)):
        fields[name], problem = clean_text(data.get(name), label, required=required, min_length=low,
                                           max_length=high, multiline=multiline)
        if problem:
            errors[name] = problem
    fields["budget"], problem = parse_budget(data.get("budget"))
    if problem:
        errors["budget"] = problem
    fields["planned_completion"], problem = parse_date(data.get("planned_completion"))
    if problem:
        errors["planned_completion"] = problem
    if errors:
        raise invalid(errors, "invalid_candidate")
    return fields


def _linkable(body_id: int, proposal_ids, keep: set[int] = frozenset()) -> list[Proposal]:
    ids = sorted({id_from(i) for i in proposal_ids or [] if id_from(i) is not None})
    proposals = list(db.session.execute(select(Proposal).where(Proposal.id.in_(ids))).scalars()) if ids else []
    if len(proposals) != len(ids) or any(p.body_id != body_id for p in proposals):
        raise invalid({"proposals": "所选建议不存在。"}, "invalid_candidate")
    for proposal in proposals:
        if proposal.id not in keep and proposal.status != "shortlisted":
            raise invalid({"proposals": f"建议 #{proposal.id}“{proposal.title}”不是“拟列为候选”状态。"},
                               "invalid_candidate")
    return proposals


def create_candidate(body_id: int, data: dict, actor: str, proposal_ids=()) -> Candidate:
    fields = _candidate_fields(data)
    proposals = _linkable(body_id, proposal_ids)
    candidate = Candidate(body_id=body_id, state="draft", **fields)
    db.session.add(candidate)
    db.session.flush()
    _link(candidate, proposals, actor)
    audit.record("candidate_created", actor=actor, subject=f"candidate:{candidate.id}", body_id=body_id,
                 details={"year": candidate.year, "title": candidate.title, "budget": str(candidate.budget),
                          "proposals": [p.id for p in proposals]})
    db.session.commit()
    return candidate


def _link(candidate: Candidate, proposals: list[Proposal], actor: str) -> None:
    for proposal in proposals:
        if proposal in candidate.proposals:
            continue
        candidate.proposals.append(proposal)
        _move(proposal, "candidate", actor, "listed", f"列入{candidate.year}年候选项目“{candidate.title}”")


def _unlink(candidate: Candidate, proposal: Proposal, actor: str) -> None:
    candidate.proposals.remove(proposal)
    if proposal.status == "candidate" and not [c for c in proposal.candidates if c.id != candidate.id]:
        _move(proposal, "shortlisted", actor, "unlisted", f"移出候选项目“{candidate.title}”")


def _ensure_draft(candidate: Candidate) -> None:
    if candidate.state != "draft":
        raise Refusal(409, "invalid_transition", "该候选项目已提交票决，不能再修改。")


def update_candidate(candidate: Candidate, data: dict, actor: str, proposal_ids=None) -> Candidate:
    _ensure_draft(candidate)
    fields = _candidate_fields(data)
    current = {p.id for p in candidate.proposals}
    proposals = _linkable(candidate.body_id, proposal_ids, keep=current) if proposal_ids is not None else None
    changes = {k: [str(getattr(candidate, k)), str(v)] for k, v in fields.items() if getattr(candidate, k) != v}
    for name, value in fields.items():
        setattr(candidate, name, value)
    if proposals is not None:
        wanted = {p.id for p in proposals}
        for proposal in list(candidate.proposals):
            if proposal.id not in wanted:
                _unlink(candidate, proposal, actor)
        _link(candidate, [p for p in proposals if p.id not in current], actor)
        changes["proposals"] = [sorted(current), sorted(wanted)]
    audit.record("candidate_updated", actor=actor, subject=f"candidate:{candidate.id}", body_id=candidate.body_id,
                 details={"changes": changes})
    db.session.commit()
    return candidate


def delete_candidate(candidate: Candidate, actor: str) -> None:
    _ensure_draft(candidate)
    for proposal in list(candidate.proposals):
        _unlink(candidate, proposal, actor)
    audit.record("candidate_deleted", actor=actor, subject=f"candidate:{candidate.id}", body_id=candidate.body_id,
                 details={"year": candidate.year, "title": candidate.title})
    db.session.delete(candidate)
    db.session.commit()


def candidates_of(body_id: int, year: int) -> list[Candidate]:
    return list(db.session.execute(
        select(Candidate).filter_by(body_id=body_id, year=year).order_by(Candidate.id)).scalars())


def candidate_years(body_id: int) -> list[int]:
    return sorted(db.session.execute(
        select(Candidate.year).filter_by(body_id=body_id).distinct()).scalars(), reverse=True)


def total_budget(candidates: list[Candidate]) -> Decimal:
    return sum((c.budget for c in candidates), Decimal("0"))


SHORTLIST_SHOWN = 200


def shortlisted_proposals(body_id: int, query: str = "", limit: int | None = None) -> list[Proposal]:
    """Proposals marked 拟列为候选 whose title holds `query`, the `limit` newest, with the
    proposals merged into them loaded at once (the candidate page shows their number:
    one query, not one per proposal). A year's shortlist is a few dozen; a page never
    lists thousands of checkboxes."""
    statement = select(Proposal).filter_by(body_id=body_id, status="shortlisted")
    if query:
        statement = statement.where(Proposal.title.contains(query, autoescape=True))
    return list(db.session.execute(statement.order_by(Proposal.id.desc()).limit(limit or SHORTLIST_SHOWN)
                                   .options(selectinload(Proposal.merged_from))).scalars())


def shortlisted_count(body_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Proposal).filter_by(
        body_id=body_id, status="shortlisted")) or 0


# ---------------------------------------------------------------- candidates -> selection ballot

def open_meetings(body_id: int) -> list:
    from voting.meetings.models import Meeting

    return list(db.session.execute(
        select(Meeting).filter_by(body_id=body_id).where(Meeting.closed_at.is_(None))
        .order_by(Meeting.id.desc())).scalars())


def ballot_items(candidates: list[Candidate]) -> list[dict]:
    """The items of a selection ballot for these candidates; each refers back to its
    candidate ("candidate:<id>"), which is how supervision finds the candidate later."""
    items = []
    for candidate in candidates:
        facts = [f"预算 {candidate.budget:,.2f} 万元", f"责任单位：{candidate.department}"]
        if candidate.planned_completion:
            facts.append(f"计划完成：{candidate.planned_completion.isoformat()}")
        description = "；".join(facts) + ("\n" + candidate.description if candidate.description else "")
        items.append({"title": candidate.title, "description": description, "reference": f"candidate:{candidate.id}"})
    return items


class NoMargin(Refusal):
    """Candidates do not exceed seats (no 差额): allowed only when confirmed. The form
    shows `count` and `seats` next to the box that confirms it."""

    def __init__(self, count: int, seats: int):
        self.count, self.seats = count, seats
        super().__init__(409, "no_margin",
                         f"候选项目 {count} 个、应选 {seats} 个，没有差额（候选数应多于应选数）。"
                         "如确需等额票决，请勾选确认后再提交。")


def candidates_to_ballot(body_id: int, year: int, *, meeting_id, title, seats, secret: bool = True,
                         confirm_no_margin: bool = False, actor: str):
    """Turn the draft candidates of `year` into a draft selection ballot of the meeting.

    The ballot, its items, the candidates' new state and the audit entry are committed
    together by `create_ballot`; the candidates' `ballot_id` follows right after (the
    items' references already tie each item to its candidate)."""
    from voting.ballots.services import create_ballot
    from voting.meetings.models import Meeting

    candidates = [c for c in candidates_of(body_id, year) if c.state == "draft"]
    if not candidates:
        raise Refusal(409, "invalid_transition", f"{year} 年没有待提交票决的候选项目。")
    meeting = db.session.get(Meeting, id_from(meeting_id)) if id_from(meeting_id) is not None else None
    if meeting is None or meeting.body_id != body_id:
        raise invalid({"meeting_id": "请选择本机构的会议。"}, "invalid_ballot")
    title, problem = clean_text(title, "表决名称", required=True, min_length=2, max_length=200)
    if problem:
        raise invalid({"title": problem}, "invalid_ballot")
    try:
        seats = int(str(seats).strip())
    except (TypeError, ValueError):
        raise invalid({"seats": "应选数必须是正整数。"}, "invalid_ballot")
    if not 1 <= seats <= len(candidates):
        raise invalid({"seats": f"应选数必须在 1 到候选项目数（{len(candidates)}）之间。"}, "invalid_ballot")
    if len(candidates) <= seats and not confirm_no_margin:
        raise NoMargin(len(candidates), seats)
    for candidate in candidates:
        candidate.state = "balloted"
    audit.record("candidates_balloted", actor=actor, subject=f"meeting:{meeting.id}", body_id=body_id,
                 details={"year": year, "candidates": [c.id for c in candidates], "seats": seats,
                          "no_margin_confirmed": len(candidates) <= seats})
    ballot = create_ballot(meeting, kind="selection", title=title, items=ballot_items(candidates), seats=seats,
                           secret=bool(secret), actor=actor)
    for candidate in candidates:
        candidate.ballot_id = ballot.id
    db.session.commit()
    return ballot
