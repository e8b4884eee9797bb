"""Inspections (视察) and supervision proposals on a project."""
from datetime import datetime


from voting.accounts.models import utcnow
from voting.errors import Refusal, invalid
from voting import uploads
from voting.extensions import db
from voting.integrity import audit
from voting.tracking.models import Inspection, LivelihoodProject, SupervisionProposal
from voting.tracking.photos import _store_photos, check_photos_with
from voting.tracking.reading import _ensure_reporter
from voting.tracking.updates import _date, _text


def _proposal_lines(raw) -> list[str]:
    return [line.strip() for line in str(raw or "").replace("\r\n", "\n").split("\n") if line.strip()]


def record_inspection(project: LivelihoodProject, data: dict, photos: list[tuple[str, bytes]], actor: str,
                      ) -> Inspection:
    """An inspection with its findings, photos and supervision proposals (one per line)."""
    errors = {}
    visited_on, problem = _date(data.get("visited_on"), "视察日期")
    if problem:
        errors["visited_on"] = problem
    deputies, problem = _text(data.get("deputies"), "参加视察的代表", low=2, high=1000)
    if problem:
        errors["deputies"] = problem
    findings, problem = _text(data.get("findings"), "视察发现", low=2, high=4000)
    if problem:
        errors["findings"] = problem
    lines = _proposal_lines(data.get("proposals"))
    for line in lines:
        _, problem = _text(line, "督办建议", low=2, high=1000)
        if problem:
            errors["proposals"] = problem
            break
    if len(lines) > 30:
        errors["proposals"] = "督办建议一次最多 30 条。"
    checked = check_photos_with(errors, photos)
    if errors:
        raise invalid(errors, "invalid_inspection")
    inspection = Inspection(project_id=project.id, body_id=project.body_id, visited_on=visited_on,
                            deputies=deputies, findings=findings, created_by=actor)
    db.session.add(inspection)
    db.session.flush()
    for line in lines:
        db.session.add(SupervisionProposal(inspection_id=inspection.id, project_id=project.id,
                                           body_id=project.body_id, text=line))
    with uploads.files_of_the_transaction() as written:
        _store_photos(checked, project, written, inspection_id=inspection.id)
        audit.record("inspection_recorded", actor=actor, subject=f"project:{project.id}", body_id=project.body_id,
                     details={"inspection": inspection.id, "visited_on": visited_on.isoformat(),
                              "proposals": len(lines), "photos": len(written)})
        db.session.commit()
    return inspection


def add_supervision_proposal(inspection: Inspection, raw_text, actor: str) -> SupervisionProposal:
    text, problem = _text(raw_text, "督办建议", low=2, high=1000)
    if problem:
        raise invalid({"text": problem}, "invalid_proposal")
    proposal = SupervisionProposal(inspection_id=inspection.id, project_id=inspection.project_id,
                                   body_id=inspection.body_id, text=text)
    db.session.add(proposal)
    db.session.flush()
    audit.record("supervision_proposal_added", actor=actor, subject=f"project:{inspection.project_id}",
                 body_id=inspection.body_id, details={"inspection": inspection.id, "proposal": proposal.id})
    db.session.commit()
    return proposal


def reply_to_proposal(proposal: SupervisionProposal, principal, raw_text, now: datetime | None = None,
                      ) -> SupervisionProposal:
    """The responsible department answers a supervision proposal, once."""
    _ensure_reporter(principal, proposal.project)
    if proposal.reply is not None:
        raise Refusal(409, "invalid_transition", "该督办建议已经答复。")
    text, problem = _text(raw_text, "答复", low=2, high=2000)
    if problem:
        raise invalid({"reply": problem}, "invalid_reply")
    proposal.reply = text
    proposal.replied_by = principal.username
    proposal.replied_at = now or utcnow()
    audit.record("supervision_replied", actor=principal.username, subject=f"project:{proposal.project_id}",
                 body_id=proposal.body_id, details={"proposal": proposal.id})
    db.session.commit()
    return proposal
