"""Meeting operations: meetings, the roster, login cards, check-in and quorum.

Every function takes plain values, raises `Refusal` (an Refusal) on refusal and,
where it changes something, commits once, so the API and the browser pages share it.
"""
import csv
import io
import math
import secrets
from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from voting.accounts.models import AddressThrottle, ApiToken, utcnow
from voting.accounts.services import backoff_wait
from voting import residue
from voting.extensions import db
from voting.integrity import audit
from voting.errors import RosterError, Refusal
from voting.meetings import display
from voting.meetings.models import Absence, Attendance, Deputy, Meeting
from voting.rules import QuorumRule, RuleError, fraction_text

MAX_ROSTER_ROWS = 5000
ROSTER_FIELDS = ("name", "delegation", "number")
# Column headers accepted in a CSV roster besides the English ones.
HEADER_ALIASES = {"姓名": "name", "代表团": "delegation", "代表组": "delegation", "编号": "number",
                  "代表证号": "number", "序号": "number"}
FIELD_LIMITS = {"name": 64, "delegation": 64, "number": 32}
CARD_SCOPE = "card"  # AddressThrottle.scope of card logins


def card_hash(secret: str) -> str:
    from voting.integrity.keys import credential_hash

    return credential_hash("card", secret)


def new_card_secret() -> str:
    return secrets.token_urlsafe(24)


def deputy_for_card(secret: str, source: str = "", *, now: datetime | None = None) -> Deputy | None:
    """The deputy whose current card this is; None for an unknown or revoked card, or
    when its meeting is closed. A refused card is audited (and committed at once,
    because the caller answers with an error that rolls its transaction back).

    A valid card is never limited: a hall's 650 tablets may share one NAT address or
    come through one reverse proxy, and a guessing neighbour must not lock them out.
    Unknown cards are counted per source address (`card_throttle_wait`): past a few the
    address must wait a growing delay, past more it is locked for a while; while it
    waits, a card that matches no deputy gets a 429 `rate_limited` Refusal and is not
    counted again. Card secrets carry 192 random bits, so answering a valid card during
    a lock tells a guesser nothing it could use."""
    now = now or utcnow()
    address = (source or "unknown")[:64]
    deputy = None
    if secret and len(secret) <= 200:
        deputy = db.session.execute(select(Deputy).filter_by(card_hash=card_hash(secret))).scalar_one_or_none()
    if deputy is not None and deputy.is_active:
        return deputy
    wait = card_throttle_wait(address, now)
    if wait > timedelta(0):
        raise Refusal(429, "rate_limited", _wait_message(wait))
    audit.record("card_login_failed", actor=source[:120],
                 subject=f"deputy:{deputy.id}" if deputy else "card:unknown",
                 body_id=deputy.body_id if deputy else None)
    if deputy is None:
        # Only a card that matches nobody (a guess, a typo, a card since reissued) counts:
        # a real card of a closed meeting is no guess, and a hall rescanning its cards
        # after the close must not lock its shared address.
        _count_card_failure(address, now)
    db.session.commit()
    return None


def _card_throttle_row(address: str, *, for_update: bool = False) -> AddressThrottle | None:
    query = select(AddressThrottle).filter_by(scope=CARD_SCOPE, address=address)
    if for_update:  # and read it afresh: an earlier read in this transaction may be stale
        query = query.with_for_update().execution_options(populate_existing=True)
    return db.session.execute(query).scalar_one_or_none()


def _forgotten(row: AddressThrottle, now: datetime) -> bool:
    """Old failures no longer count: the lock has ended, or the last failure is old."""
    cfg = current_app.config
    if row.locked_until is not None:
        return row.locked_until <= now
    return row.last_failed_at is None or row.last_failed_at + cfg["CARD_LOGIN_FORGET_AFTER"] <= now


def card_throttle_wait(address: str, now: datetime | None = None) -> timedelta:
    """How long this address must still wait before its next card login attempt."""
    now = now or utcnow()
    row = _card_throttle_row(address)
    if row is None or _forgotten(row, now):
        return timedelta(0)
    return backoff_wait(row.failures, row.last_failed_at, row.locked_until,
                        current_app.config["CARD_LOGIN_SLOWDOWN_AFTER"], now)


def _count_card_failure(address: str, now: datetime) -> None:
    """One more unknown card from this address; lock it past CARD_LOGIN_LOCK_AFTER.
    Runs after audit.record in the same transaction, which serializes writers (the
    audit chain's lock on PostgreSQL, BEGIN IMMEDIATE on SQLite), so concurrent
    workers never lose a count."""
    cfg = current_app.config
    row = _card_throttle_row(address, for_update=True)
    if row is None:
        row = AddressThrottle(scope=CARD_SCOPE, address=address, failures=0)
        db.session.add(row)
    elif _forgotten(row, now):
        row.failures, row.locked_until = 0, None
    row.failures += 1
    row.last_failed_at = now
    if row.failures >= cfg["CARD_LOGIN_LOCK_AFTER"]:
        row.locked_until = now + cfg["CARD_LOGIN_LOCK_FOR"]
        minutes = int(cfg["CARD_LOGIN_LOCK_FOR"].total_seconds() // 60)
        audit.record("card_login_locked", actor=address, subject=f"address:{address}",
                     details={"failures": row.failures, "minutes": minutes})
        current_app.logger.warning("card login locked for %s minutes for address %s after %s unknown cards",
                                   minutes, address, row.failures)
    db.session.flush()


def _wait_message(wait: timedelta) -> str:
    seconds = int(wait.total_seconds()) + 1
    if seconds > 120:
        return f"登录卡验证失败次数过多，本设备所在网络已暂停扫卡登录，请 {math.ceil(seconds / 60)} 分钟后再试。"
    return f"登录卡验证失败次数过多，请 {seconds} 秒后再试。"


# --- meetings -------------------------------------------------------------------------

def quorum_from_json(data) -> QuorumRule:
    """Read `{"fraction": "2/3", "inclusive": true}`; None is the default of RULES.md."""
    try:
        return QuorumRule.from_json(data)
    except RuleError as error:
        raise Refusal(400, "bad_request", f"法定人数规则有误：{error}")


def quorum_rule(meeting: Meeting) -> QuorumRule:
    return QuorumRule(meeting.quorum_fraction, bool(meeting.quorum_inclusive))


def create_meeting(body_id: int, name: str, *, quorum=None, year: int | None = None,
                   live_counts: bool = False, results_shown=None, actor: str = "") -> Meeting:
    rule = quorum_from_json(quorum)
    if year is not None and (isinstance(year, bool) or not isinstance(year, int) or not 1949 <= year <= 2200):
        raise Refusal(400, "bad_request", "年份不正确。")
    meeting = Meeting(body_id=body_id, name=name, year=year, live_counts=bool(live_counts),
                      results_shown=display.checked_results_shown(results_shown),
                      quorum_fraction=fraction_text(rule.fraction), quorum_inclusive=rule.inclusive)
    db.session.add(meeting)
    db.session.flush()
    audit.record("meeting_created", actor=actor, subject=f"meeting:{meeting.id}", body_id=body_id,
                 details={"name": name, "quorum": rule.to_json()})
    db.session.commit()
    return meeting


def close_meeting(meeting: Meeting, *, actor: str = "", now: datetime | None = None) -> Meeting:
    """End the sitting: deputies' cards, sessions and tokens stop working."""
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束。")
    from voting.ballots.models import Ballot, BallotState

    still_open = db.session.scalar(select(func.count(Ballot.id)).where(
        Ballot.meeting_id == meeting.id, Ballot.state == BallotState.open.value))
    if still_open:
        raise Refusal(409, "invalid_transition", f"还有{still_open}项表决正在进行，请先结束表决。")
    meeting.closed_at = now or utcnow()
    audit.record("meeting_closed", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id)
    comments = _hide_comment_order(meeting.id)
    db.session.commit()
    if comments is not None:
        residue.scrub([comments])
    return meeting


def _hide_comment_order(meeting_id: int):
    """Deputies' anonymous comments on the meeting's appraisals can be written until the
    meeting ends (their cards stop working then): rewrite them in random-id order now,
    like cast ballots at a ballot's close (voting.residue). The table, when it had rows."""
    from voting.appraisals.models import AppraisalCampaign, AppraisalComment, AppraisalItem

    table = AppraisalComment.__table__
    items = select(AppraisalItem.id).join(AppraisalCampaign, AppraisalCampaign.id == AppraisalItem.campaign_id) \
        .where(AppraisalCampaign.meeting_id == meeting_id)
    return table if residue.rewrite_in_key_order(table, table.c.item_id.in_(items), "id") else None


def seated_count(meeting_id: int) -> int:
    return db.session.scalar(select(func.count(Deputy.id)).where(Deputy.meeting_id == meeting_id)) or 0


def present_deputy_ids(meeting_id: int) -> list[int]:
    """Deputies checked in now, read in one statement (so a count and a list agree)."""
    return list(db.session.scalars(
        select(Attendance.deputy_id).where(Attendance.meeting_id == meeting_id).order_by(Attendance.deputy_id)))


def attendance_figures(meeting: Meeting) -> dict:
    """{"total", "present", "required", "quorum_met"} for the meeting now."""
    total = seated_count(meeting.id)
    present = db.session.scalar(select(func.count(Attendance.id)).where(Attendance.meeting_id == meeting.id)) or 0
    rule = quorum_rule(meeting)
    return {"total": total, "present": present, "required": rule.required(total) if total else 0,
            "quorum_met": rule.met(present, total)}


def deputies_of(meeting: Meeting) -> list[dict]:
    """The roster with each deputy's presence (no card secrets: those are shown once)."""
    present = set(present_deputy_ids(meeting.id))
    deputies = db.session.scalars(select(Deputy).where(Deputy.meeting_id == meeting.id)
                                  .order_by(Deputy.number, Deputy.id))
    return [{"deputy": d, "present": d.id in present} for d in deputies]


# --- the roster -----------------------------------------------------------------------

def parse_roster_csv(data: bytes | str) -> list[tuple[int, dict]]:
    """Rows of a CSV roster (header `name,delegation,number`) with their line numbers."""
    text = data.decode("utf-8-sig") if isinstance(data, bytes) else data.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text))
    try:
        header = next(reader)
    except StopIteration:
        raise RosterError([(1, "文件为空，缺少表头 name,delegation,number")])
    except csv.Error as error:
        raise RosterError([(1, f"无法读取表头：{error}")])
    columns = [HEADER_ALIASES.get(cell.strip(), cell.strip().lower()) for cell in header]
    missing = [name for name in ("name", "number") if name not in columns]
    if missing:
        raise RosterError([(1, f"表头缺少列：{', '.join(missing)}（应为 name,delegation,number）")])
    rows = []
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue
            row = {column: cells[i] if i < len(cells) else "" for i, column in enumerate(columns)
                   if column in ROSTER_FIELDS}
            rows.append((reader.line_num, row))
    except csv.Error as error:
        raise RosterError([(reader.line_num, f"无法读取：{error}")])
    return rows


def _clean_row(row) -> tuple[dict, list[str]]:
    if not isinstance(row, dict):
        return {}, ["应为包含 name、delegation、number 的对象"]
    clean, problems = {}, []
    labels = {"name": "姓名", "delegation": "代表团", "number": "编号"}
    for field in ROSTER_FIELDS:
        value = row.get(field)
        if isinstance(value, int) and not isinstance(value, bool) and field == "number":
            value = str(value)
        if value is None:
            value = ""
        if not isinstance(value, str):
            problems.append(f"{labels[field]}必须是文本")
            continue
        value = value.strip()
        if not value and field != "delegation":
            problems.append(f"缺少{labels[field]}")
        elif len(value) > FIELD_LIMITS[field]:
            problems.append(f"{labels[field]}不能超过{FIELD_LIMITS[field]}个字符")
        clean[field] = value
    return clean, problems


def check_roster(meeting: Meeting, rows: list[tuple[int, object]]) -> list[dict]:
    """Clean rows, or RosterError listing every bad row by its line number."""
    if not rows:
        raise RosterError([(1, "名单为空")])
    if len(rows) > MAX_ROSTER_ROWS:
        raise RosterError([(1, f"一次最多导入{MAX_ROSTER_ROWS}名代表")])
    existing = set(db.session.scalars(select(Deputy.number).where(Deputy.meeting_id == meeting.id)))
    seen: dict[str, int] = {}
    problems, clean_rows = [], []
    for line, row in rows:
        clean, row_problems = _clean_row(row)
        number = clean.get("number")
        if number:
            if number in existing:
                row_problems.append(f"编号“{number}”已在本次会议名单中")
            elif number in seen:
                row_problems.append(f"编号“{number}”与第{seen[number]}行重复")
            else:
                seen[number] = line
        problems.extend((line, message) for message in row_problems)
        clean_rows.append(clean)
    if problems:
        raise RosterError(problems)
    return clean_rows


def import_roster(meeting: Meeting, rows: list, *, actor: str = "",
                  now: datetime | None = None) -> list[tuple[Deputy, str]]:
    """Add deputies to the meeting, each with a new login card. `rows` are dicts
    (line numbers then count from 1) or (line, dict) pairs, e.g. from
    `parse_roster_csv`. Returns (deputy, card secret) pairs: the secrets exist only
    in this answer. All or nothing: any bad row raises RosterError."""
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束，不能再导入代表。")
    numbered = [row if isinstance(row, tuple) else (i, row) for i, row in enumerate(rows, start=1)]
    clean_rows = check_roster(meeting, numbered)
    now = now or utcnow()
    issued = []
    for row in clean_rows:
        secret = new_card_secret()
        deputy = Deputy(meeting_id=meeting.id, body_id=meeting.body_id, name=row["name"],
                        delegation=row.get("delegation", ""), number=row["number"],
                        card_hash=card_hash(secret), card_issued_at=now, card_version=1)
        db.session.add(deputy)
        issued.append((deputy, secret))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise Refusal(409, "conflict", "名单中的编号与同时导入的名单冲突，请重试。")
    audit.record("roster_imported", actor=actor, subject=f"meeting:{meeting.id}", body_id=meeting.body_id,
                 details={"created": len(issued), "cards_issued": len(issued)})
    db.session.commit()
    return issued


def issue_card(deputy: Deputy, *, actor: str = "", now: datetime | None = None) -> str:
    """Issue (or reissue) the deputy's login card and return its secret, shown once.
    The previous card and every token obtained with it stop working."""
    if deputy.meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束，不能再发放登录卡。")
    reissue = deputy.card_hash is not None
    secret = new_card_secret()
    deputy.card_hash = card_hash(secret)
    deputy.card_issued_at = now or utcnow()
    deputy.card_version = (deputy.card_version or 0) + 1
    revoked = 0
    if reissue:
        for token in db.session.scalars(select(ApiToken).where(ApiToken.deputy_id == deputy.id,
                                                               ApiToken.revoked.is_(False))):
            token.revoked = True
            revoked += 1
    audit.record("card_reissued" if reissue else "card_issued", actor=actor, subject=f"deputy:{deputy.id}",
                 body_id=deputy.body_id, details={"version": deputy.card_version, "tokens_revoked": revoked})
    db.session.commit()
    return secret


# --- check-in -------------------------------------------------------------------------

def check_in(meeting: Meeting, deputy: Deputy, *, actor: str = "", by_staff: bool = False,
             now: datetime | None = None) -> tuple[dict, bool]:
    """Mark the deputy present. Idempotent: returns (attendance figures, newly checked in).
    A deputy on leave or who left (an Absence, voting.meetings.attendance) re-enters."""
    if deputy.meeting_id != meeting.id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    if meeting.closed_at is not None:
        raise Refusal(409, "invalid_transition", "会议已经结束。")
    exists = db.session.scalar(select(Attendance.id).where(Attendance.meeting_id == meeting.id,
                                                           Attendance.deputy_id == deputy.id))
    if exists is not None:
        return attendance_figures(meeting), False
    db.session.add(Attendance(meeting_id=meeting.id, deputy_id=deputy.id, by_staff=by_staff,
                              checked_in_at=now or utcnow()))
    try:
        db.session.flush()
    except IntegrityError:  # the same card scanned twice at once: the other one won
        db.session.rollback()
        return attendance_figures(meeting), False
    absence = db.session.scalar(select(Absence).where(Absence.meeting_id == meeting.id,
                                                      Absence.deputy_id == deputy.id))
    details = {"meeting": meeting.id, "by_staff": bool(by_staff)}
    if absence is not None:  # re-entry after leave or leaving
        details["re_entry"] = absence.reason
        db.session.delete(absence)
    audit.record("checked_in", actor=actor, subject=f"deputy:{deputy.id}", body_id=meeting.body_id, details=details)
    figures = attendance_figures(meeting)
    db.session.commit()
    return figures, True
