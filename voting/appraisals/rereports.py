"""Reports sent back (再办理、再报告): marking them, departments' re-reports and attachments."""
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlalchemy import select

from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting import uploads
from voting.uploads import upload_dir
from voting.extensions import db
from voting.integrity import audit
from voting.appraisals.models import AppraisalItem, Rereport, RereportAttachment
from voting.appraisals.campaigns import (
    ATTACHMENT_FOLDER, DEFAULT_ATTACHMENT_MAX_BYTES, MAX_ATTACHMENTS, _clean, conflict,
)
from voting.appraisals.rounds import latest_round


def rereports_for_department(principal) -> list[Rereport]:
    if not principal.department:
        return []
    return list(db.session.scalars(select(Rereport).where(
        Rereport.body_id == principal.body_id, Rereport.department == principal.department)
        .order_by(Rereport.submitted_at.is_not(None), Rereport.due_date, Rereport.id)))


def due_panel(principal, today) -> dict:
    """The department's dashboard: re-reports still to write, soonest first, each with
    its deadline, the days left and whether it is overdue (past the local date)."""
    due = [r for r in rereports_for_department(principal) if not r.submitted]
    rows = [{"rereport": r, "days_left": (r.due_date - today).days, "overdue": r.due_date < today} for r in due]
    return {"rows": rows, "overdue": sum(1 for row in rows if row["overdue"]), "department": principal.department}


def may_see_item(principal, item: AppraisalItem) -> bool:
    """A department account sees only its own department's items."""
    if principal.role != "department":
        return True
    return bool(principal.department) and principal.body_id == item.body_id and item.department == principal.department


def attachment_max_bytes() -> int:
    from flask import current_app

    return int(current_app.config.get("REREPORT_ATTACHMENT_MAX_BYTES") or DEFAULT_ATTACHMENT_MAX_BYTES)


@dataclass
class CheckedFile:
    name: str
    data: bytes
    content_type: str
    extension: str


def check_attachment(name: str, data: bytes) -> CheckedFile:
    """PDF, JPEG or PNG judged by content, within the size limit."""
    label = f"附件“{name}”" if name else "附件"
    limit = attachment_max_bytes()
    uploads.check_size(data, label, limit, "attachments", "invalid_attachment")
    if data.startswith(b"%PDF-"):
        if b"%%EOF" not in data[-2048:]:
            raise invalid({"attachments": f"{label}不是完整的 PDF 文件。"}, "invalid_attachment")
        return CheckedFile(name, data, "application/pdf", "pdf")
    from voting.collection.services import check_photo

    try:
        photo = check_photo(data, name)
    except Refusal:
        raise invalid({"attachments": f"{label}不是 PDF、JPG 或 PNG 文件。"}, "invalid_attachment") from None
    return CheckedFile(name, photo.data, photo.content_type, photo.extension)


def attachment_dir() -> Path:
    return upload_dir() / ATTACHMENT_FOLDER


def attachment_path(attachment: RereportAttachment) -> Path:
    return attachment_dir() / attachment.stored_name


def submit_rereport(rereport: Rereport, principal, text, files: list[tuple[str, bytes]],
                    now: datetime | None = None) -> Rereport:
    """The department's re-report: text plus attachments, written once."""
    if principal.role != "department" or principal.body_id != rereport.body_id \
            or not principal.department or principal.department != rereport.department:
        raise Refusal(403, "forbidden", "只有该项目的责任单位可以提交再报告。")
    if rereport.submitted:
        raise conflict("再报告已经提交，不能再修改。")
    if rereport.ballot.id != latest_round(rereport.item.campaign).id:
        raise conflict("已经开始下一轮测评，不能再提交本轮的再报告。")
    errors = {}
    body, problem = _clean(text, "再报告内容", 20000)
    if problem:
        errors["text"] = problem
    files = [(n, d) for n, d in files if n or d]
    checked = []
    if len(files) > MAX_ATTACHMENTS:
        errors["attachments"] = f"一次最多上传{MAX_ATTACHMENTS}个附件。"
    else:
        try:
            checked = [check_attachment(n, d) for n, d in files]
        except Refusal as error:
            errors.update(error.errors)
    if errors:
        raise invalid(errors, "invalid_rereport")
    now = now or utcnow()
    rereport.text, rereport.submitted_by, rereport.submitted_at = body, principal.username, now
    with uploads.files_of_the_transaction() as written:
        for file in checked:
            stored, path = uploads.write_new_file(attachment_dir(), file.extension, file.data)
            written.append(path)
            db.session.add(RereportAttachment(rereport_id=rereport.id, body_id=rereport.body_id,
                                              original_name=(file.name or f"附件.{file.extension}")[:200],
                                              stored_name=stored, content_type=file.content_type,
                                              **uploads.facts(file.data)))
        audit.record("rereport_submitted", actor=principal.username, subject=f"rereport:{rereport.id}",
                     body_id=rereport.body_id, details={"item": rereport.item_id, "attachments": len(checked)})
        db.session.commit()
    return rereport
