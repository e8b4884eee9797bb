"""The ballot's lifecycle: draft → open → closed → published, one guarded transition each.

Concurrency. On SQLite every POST transaction starts with BEGIN IMMEDIATE
(voting/database.py), so casts and closes simply run one after another. On
PostgreSQL a cast takes `FOR SHARE` on the ballot row and checks that the ballot is
open; close takes `FOR UPDATE` on it, so it waits for the casts in flight and any
cast that comes later sees the ballot closed: no vote committed after close is ever
counted."""
from datetime import datetime, timedelta

from sqlalchemy import insert, select

from voting.clock import clock
from voting.ballots.models import TRANSITIONS, Ballot, BallotState, BallotVoter, TallySheet
from voting.ballots.counting import count_ballot, integrity_block, sheet_digest
from voting.ballots.secrecy import hide_insertion_order, scrub_after_close
from voting.tellers import ceremony, checking, tally as tellers
from voting.tracking.from_ballots import track_published_selection
from voting.extensions import db
from voting.integrity import anchors, audit, keys, sealing
from voting.integrity.canonical import canonical_json
from voting.errors import Refusal, invalid_transition
from voting.meetings.attendance import absence_counts
from voting.meetings.services import present_deputy_ids, quorum_rule, seated_count
from voting.crypto.ballot import encoding_for
from voting.rules import SELECTION, cast_options, rule_from_json


def lock_ballot(ballot_id: int, *, for_update: bool) -> Ballot:
    """Re-read the ballot row under a lock (PostgreSQL: FOR UPDATE / FOR SHARE;
    SQLite: the write transaction already holds the database lock)."""
    statement = (select(Ballot).where(Ballot.id == ballot_id).with_for_update(read=not for_update)
                 .execution_options(populate_existing=True))
    ballot = db.session.execute(statement).scalar_one_or_none()
    if ballot is None:
        raise Refusal(404, "not_found", "未找到该表决。")
    return ballot


ACTION_WORDS = {BallotState.open: "开始", BallotState.closed: "结束", BallotState.published: "公布"}


def _move(ballot: Ballot, target: BallotState) -> None:
    """The one guarded transition of the lifecycle enum."""
    if target not in TRANSITIONS[ballot.state_enum]:
        raise invalid_transition(f"表决当前为“{ballot.state_enum.label}”，不能{ACTION_WORDS[target]}。")
    ballot.state = target.value


def _now(now: datetime | None) -> datetime:
    return (now or clock()).replace(microsecond=0)


def open_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> Ballot:
    """draft → open: check the quorum, freeze the rule, the total and the issued set
    (the deputies present now), and create the ballot's sealing keys."""
    ballot = lock_ballot(ballot.id, for_update=True)
    _move(ballot, BallotState.open)
    meeting = ballot.meeting
    if meeting.closed_at is not None:
        raise invalid_transition("会议已经结束，不能开始表决。")
    present = present_deputy_ids(meeting.id)
    total = seated_count(meeting.id)
    refusal = quorum_rule(meeting).refusal(len(present), total)
    if refusal:
        raise Refusal(409, "quorum_not_met", refusal)
    frozen = rule_from_json(ballot.kind, ballot.rule)
    ballot.rule_json = canonical_json(frozen.to_json()).decode()
    ballot.total, ballot.issued = total, len(present)
    ballot.public_key, ballot.wrapped_private_key = sealing.new_ballot_keys(ballot.id)
    # A secret ballot of a meeting with tellers is encrypted to their joint key (issue #17);
    # a named (记名) ballot stays in the clear.
    ballot.teller_key = ceremony.key_for_opening(meeting) if ballot.secret else None
    ballot.cast_encoding = encoding_for(cast_options(ballot.kind, ballot.options)) if ballot.teller_key else None
    ballot.opened_at = _now(now)
    if ballot.duration_seconds:
        ballot.deadline = ballot.opened_at + timedelta(seconds=ballot.duration_seconds)
    if present:
        db.session.execute(insert(BallotVoter), [{"ballot_id": ballot.id, "deputy_id": d} for d in present])
    audit.record("ballot_opened", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details=_opened_details(ballot, total, len(present), frozen))
    db.session.commit()
    return ballot


def _opened_details(ballot: Ballot, total: int, issued: int, frozen) -> dict:
    """The ballot_opened entry: issued is the present count at this moment (实到), with
    the deputies on leave (请假) and those who left mid-session (中途退场) then."""
    details = {"total": total, "issued": issued, "present": issued, **absence_counts(ballot.meeting_id),
               "rule": frozen.to_json()}
    if ballot.rehearsal:
        details["rehearsal"] = True
    if ballot.teller_key is not None:
        details["teller_key"] = ballot.teller_key.hex()
        details["cast_encoding"] = ballot.cast_encoding
    if ballot.deadline is not None:
        details["duration_seconds"] = ballot.duration_seconds
        details["deadline"] = ballot.deadline.isoformat(timespec="seconds") + "Z"
    return details


def check_before_close(ballot_id: int | None) -> None:
    """Before closing (outside its transaction, which holds the ballot's lock): check the
    casts whose proofs are still unchecked (CAST_CHECK = "queued", voting.tellers.checking).
    Commits; does nothing when none is pending."""
    if ballot_id is not None and checking.pending_ids(ballot_id=ballot_id, limit=1):
        checking.check_pending(ballot_id=ballot_id)


def close_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> dict | None:
    """open → closed: count the sealed ballots under the frozen rule, store the signed
    tally sheet, and rewrite the ballot's rows so their storage order tells nothing.
    Under tellers the encrypted sums are stored instead and the sheet waits for k
    tellers' decryption shares (`count_with_tellers`); None is returned."""
    ballot = lock_ballot(ballot.id, for_update=True)
    _move(ballot, BallotState.closed)
    if anchors.recorded("closed", ballot.id):
        # closed before, as anchors.log (outside the database) says: the database was put back
        raise invalid_transition("这项表决已经结束过一次，不能再次结束（数据库中的状态被改回过，请运行 flask verify 核查）。")
    ballot.closed_at = _now(now)
    db.session.flush()
    hide_insertion_order(ballot.id)
    if ballot.with_tellers:
        # What `check_before_close` left (casts stored since) is checked under the lock.
        checking.mark(checking.verdicts(checking.pending_ids(ballot_id=ballot.id)))
        sums = tellers.sum_casts(ballot)
        ballot.awaiting_tellers = True
        digest = tellers.sums_digest(sums.sums_json)
        entry = audit.record("ballot_closed", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                             details={"accepted": sums.accepted, "sums_sha256": digest})
        closed = (ballot.id, entry.entry_hash)
        db.session.commit()
        anchors.append("closed", *closed, sums_sha256=digest)  # outside the database
        scrub_after_close()
        return None
    sheet = _signed_sheet(ballot, "ballot_closed", actor, "closed")
    scrub_after_close()
    return sheet


def _signed_sheet(ballot: Ballot, action: str, actor: str, anchor: str) -> dict:
    """Count, pin, sign and store the sheet; its digest goes into the audit chain (as
    `action`) and anchors.log (as `anchor`). Commits."""
    sheet = count_ballot(ballot)
    sheet["integrity"] = integrity_block(ballot.id, audit_head=audit.head())
    sheet["signature"] = keys.sign_sheet(sheet)
    db.session.add(TallySheet(ballot_id=ballot.id, sheet_json=canonical_json(sheet).decode()))
    entry = audit.record(action, actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                         details={"issued": sheet["issued"], "cast": sheet["cast"],
                                  "sheet_sha256": sheet_digest(sheet)})
    recorded = (ballot.id, entry.entry_hash)
    db.session.commit()
    anchors.append(anchor, *recorded, sheet_sha256=sheet_digest(sheet))  # outside the database
    return sheet


def count_with_tellers(ballot: Ballot, user, shares, *, actor: str = "") -> dict | None:
    """A teller's decryption shares of a closed ballot's sums; the k-th makes, signs
    and stores the sheet (returned), else None."""
    ballot = lock_ballot(ballot.id, for_update=True)
    given = tellers.submit_shares(ballot, user, shares)
    audit.record("decryption_share_given", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"tellers": given})
    if given < ceremony.ceremony_of(ballot.meeting).threshold:
        db.session.commit()
        return None
    ballot.awaiting_tellers = False
    db.session.flush()
    return _signed_sheet(ballot, "ballot_counted", actor, "counted")


def publish_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> Ballot:
    """closed → published: deputies may read the sheet, everyone signed in the receipts."""
    ballot = lock_ballot(ballot.id, for_update=True)
    if ballot.rehearsal:
        raise Refusal(409, "rehearsal_not_published", "试表决只用于检查设备，结果不公布、不归档。")
    _move(ballot, BallotState.published)
    if ballot.awaiting_tellers:
        raise Refusal(409, "results_not_available", "监票人尚未完成解密，计票单未生成，不能公布。")
    ballot.published_at = _now(now)
    if ballot.kind == SELECTION:
        track_published_selection(ballot)  # the selected items become tracked projects, in this transaction
    entry = audit.record("ballot_published", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id)
    published = (ballot.id, entry.entry_hash)
    db.session.commit()
    anchors.append("published", *published)  # outside the database
    return ballot
