"""Proposals coming in (public, deputies, stations), their tracking codes and the
similar-proposal hints (from the index of voting/collection/search.py)."""
import re
import secrets
from pathlib import Path

from sqlalchemy import select

from voting.errors import Refusal, invalid
from voting.collection import search, similarity
from voting.collection.models import (
    SOURCES, STATUS_LABELS, DeputyCode, LiaisonStation, Proposal, ProposalPhoto,
)
from voting import uploads
from voting.extensions import db, one_action
from voting.integrity import audit
from voting.collection.photos import CheckedPhoto, check_photo
from voting.uploads import upload_dir
from voting.collection.screening import _event
from voting.collection.texts import MAX_PHOTOS, TRACKING_ALPHABET, TRACKING_PREFIX, validate_proposal
from voting.localtime import DAY, local_text


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


@one_action
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
    with uploads.files_of_the_transaction() as written:
        _store_photos(proposal, checked, written)
        _event(proposal, "submitted", actor, None, "pending", note=SOURCES[source])
        audit.record("proposal_submitted", actor=actor, subject=f"proposal:{proposal.id}", body_id=body_id,
                     details={"source": source, "station": station.code if station else None,
                              "deputy_code": deputy_code.code if deputy_code else None, "photos": len(written)})
        search.index_proposals([proposal.id])
        db.session.commit()
    return proposal


def _store_photos(proposal: Proposal, checked: list[CheckedPhoto], written: list[Path]) -> None:
    for photo in checked:
        name, path = uploads.write_new_file(upload_dir() / "proposals", photo.extension, photo.data)
        written.append(path)
        db.session.add(ProposalPhoto(proposal_id=proposal.id, body_id=proposal.body_id, stored_name=name,
                                     content_type=photo.content_type, **uploads.facts(photo.data)))
    db.session.flush()


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
        "submitted_at": local_text(proposal.created_at, DAY),
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
