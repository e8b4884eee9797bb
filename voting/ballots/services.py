"""Ballot operations: create, open, cast, close (count and sign), publish, runoff.

Services take plain values and model objects, raise `Refusal` (an Refusal:
status, code, Chinese message) when they refuse, and commit once when they change
something, so the JSON API and the browser pages call the same functions.

Concurrency. On SQLite every POST transaction starts with BEGIN IMMEDIATE
(voting/database.py), so casts and closes simply run one after another. On
PostgreSQL a cast takes `FOR SHARE` on the ballot row and checks that the ballot is
open; close takes `FOR UPDATE` on it, so it waits for the casts in flight and any
cast that comes later sees the ballot closed: no vote committed after close is ever
counted. Two submissions by one deputy collide on Participation's primary key; the
loser rolls back everything it wrote and gets 409 already_voted.

Nothing here logs or audits a choice, a tracker next to a deputy, or a request body.
"""
import hashlib
import json
import re
import secrets
from datetime import datetime

from sqlalchemy import exists, func, insert, select
from sqlalchemy.exc import IntegrityError

from voting.accounts.models import utcnow
from voting.ballots import idempotency
from voting.ballots.models import (
    TRANSITIONS,
    Ballot,
    BallotItem,
    BallotState,
    BallotVoter,
    CastBallot,
    IdempotencyRecord,
    NamedVote,
    Participation,
    TallySheet,
)
from voting.database import write_intent
from voting.extensions import db
from voting.inputlimits import id_from
from voting import residue
from voting.integrity import anchors, audit, keys, sealing
from voting.integrity.canonical import canonical_json
from voting.errors import Refusal, invalid_transition
from voting.meetings.models import Deputy, Meeting
from voting.tracking.services import track_published_selection
from voting.meetings.services import present_deputy_ids, quorum_rule, seated_count
from voting.rules import (
    APPRAISAL,
    KINDS,
    OUTCOME_NAMES,
    SELECTION,
    ChoiceError,
    RuleError,
    WeightedRule,
    check_choices,
    rule_from_json,
    rule_text,
    tally,
)


YES_NO_OPTIONS = ["yes", "no", "abstain"]
DEFAULT_APPRAISAL_OPTIONS = ["satisfied", "basically_satisfied", "unsatisfied"]
ABSTAIN = "abstain"
MAX_ITEMS = 200
MAX_OPTIONS = 10
OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")
ROUND_SUFFIX = re.compile(r"（第\d+轮）$")
VOID_OUTCOME = "void"


# --- reading ---------------------------------------------------------------------------

def get_ballot(ballot_id: int) -> Ballot | None:
    return db.session.get(Ballot, ballot_id)


def ballots_of_meeting(meeting: Meeting) -> list[Ballot]:
    return list(db.session.scalars(select(Ballot).where(Ballot.meeting_id == meeting.id).order_by(Ballot.id)))


def ballots_for_deputy(deputy: Deputy) -> list[Ballot]:
    """What a deputy may see: open ballots issued to it, and published ones."""
    eligible = exists().where(BallotVoter.ballot_id == Ballot.id, BallotVoter.deputy_id == deputy.id)
    return list(db.session.scalars(
        select(Ballot).where(
            Ballot.meeting_id == deputy.meeting_id,
            ((Ballot.state == BallotState.open.value) & eligible) | (Ballot.state == BallotState.published.value),
        ).order_by(Ballot.id)))


def is_eligible(ballot: Ballot, deputy: Deputy) -> bool:
    """Whether the ballot was issued to the deputy (present when it opened)."""
    return db.session.get(BallotVoter, (ballot.id, deputy.id)) is not None


def has_voted(ballot: Ballot, deputy: Deputy) -> bool:
    return db.session.get(Participation, (ballot.id, deputy.id)) is not None


def progress(ballot: Ballot) -> dict:
    """{"issued", "cast"} (+ "voted": deputies who voted or took a paper ballot)."""
    cast = db.session.scalar(select(func.count()).select_from(CastBallot).where(CastBallot.ballot_id == ballot.id))
    voted = db.session.scalar(select(func.count()).select_from(Participation)
                              .where(Participation.ballot_id == ballot.id))
    return {"issued": ballot.issued or 0, "cast": cast or 0, "voted": voted or 0}


def deputies_not_voted(ballot: Ballot) -> list[Deputy]:
    """Deputies the ballot was issued to who have neither voted nor taken a paper ballot."""
    voted = exists().where(Participation.ballot_id == ballot.id, Participation.deputy_id == Deputy.id)
    return list(db.session.scalars(
        select(Deputy).join(BallotVoter, BallotVoter.deputy_id == Deputy.id)
        .where(BallotVoter.ballot_id == ballot.id, ~voted).order_by(Deputy.number, Deputy.id)))


def stored_sheet(ballot: Ballot) -> dict | None:
    row = db.session.scalar(select(TallySheet).where(TallySheet.ballot_id == ballot.id))
    return row.sheet if row else None


def tally_for(ballot: Ballot) -> dict:
    """The signed tally sheet; 409 results_not_available while draft or open."""
    if not ballot.results_available:
        raise Refusal(409, "results_not_available", "表决尚未结束，暂无结果。")
    sheet = stored_sheet(ballot)
    if sheet is None:  # a closed ballot always has its sheet; be explicit if not
        raise Refusal(409, "results_not_available", "计票单尚未生成。")
    return sheet


def receipts_for(ballot: Ballot) -> list[str]:
    """Every tracker code of the ballot, sorted; only after publish."""
    if ballot.state != BallotState.published.value:
        raise Refusal(409, "results_not_available", "表决结果公布后才能查询回执。")
    return sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == ballot.id)))


def named_votes(ballot: Ballot) -> list[tuple[Deputy, dict]]:
    """Who chose what on a named (记名) ballot, after close; empty for a secret one."""
    if ballot.secret or not ballot.results_available:
        return []
    rows = db.session.execute(select(Deputy, NamedVote.choices).join(NamedVote, NamedVote.deputy_id == Deputy.id)
                              .where(NamedVote.ballot_id == ballot.id).order_by(Deputy.number))
    return [(deputy, json.loads(choices)) for deputy, choices in rows]


# --- creating --------------------------------------------------------------------------

def _bad(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def _text(value, label: str, max_length: int, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _bad(f"缺少{label}。")
        return ""
    if not isinstance(value, str):
        raise _bad(f"{label}必须是文本。")
    value = value.strip()
    if len(value) > max_length:
        raise _bad(f"{label}不能超过{max_length}个字符。")
    return value


def _checked_items(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise _bad("表决至少要有一个项目（items）。")
    if len(items) > MAX_ITEMS:
        raise _bad(f"一项表决最多{MAX_ITEMS}个项目。")
    checked = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise _bad(f"第{number}个项目必须是对象，包含 title。")
        checked.append({
            "title": _text(item.get("title"), f"第{number}个项目的名称", 200),
            "description": _text(item.get("description"), f"第{number}个项目的说明", 4000, required=False),
            "reference": _text(item.get("reference"), f"第{number}个项目的关联", 64, required=False) or None,
            "source_item_id": item.get("source_item_id"),
        })
    return checked


def _check_sources(meeting: Meeting, items: list[dict]) -> None:
    """An item may continue an item of an earlier ballot (source_item_id: a runoff, a
    re-appraisal): that item must exist and belong to the same body."""
    for number, item in enumerate(items, start=1):
        source = item["source_item_id"]
        if source is None:
            continue
        source = id_from(source)
        if not source:
            raise _bad(f"第{number}个项目的来源项目（source_item_id）必须是项目编号。")
        found = db.session.scalar(select(BallotItem.id).join(Ballot, Ballot.id == BallotItem.ballot_id).where(
            BallotItem.id == source, Ballot.body_id == meeting.body_id))
        if found is None:
            raise _bad(f"第{number}个项目的来源项目（source_item_id）{source} 不存在。")
        item["source_item_id"] = source


def _checked_options(kind: str, options) -> list[str]:
    if kind != APPRAISAL:
        if options is not None and options != YES_NO_OPTIONS:
            raise _bad("只有满意度测评可以设定选项（options）。")
        return list(YES_NO_OPTIONS)
    if options is None:
        return list(DEFAULT_APPRAISAL_OPTIONS)
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise _bad(f"选项（options）必须是2到{MAX_OPTIONS}个选项的列表。")
    if not all(isinstance(option, str) and OPTION_NAME.match(option) for option in options):
        raise _bad("选项名称只能由小写英文字母、数字和下划线组成，例如 satisfied。")
    if len(set(options)) != len(options):
        raise _bad("选项不能重复。")
    return list(options)


def _checked_rule(kind: str, rule, options: list[str]):
    try:
        parsed = rule_from_json(kind, rule)
    except RuleError as error:
        raise _bad(f"规则有误：{error}")
    if isinstance(parsed, WeightedRule):
        stray = sorted(set(parsed.weights) - set(options) - {ABSTAIN})
        if stray:
            raise _bad(f"权重中的选项不在选项列表中：{'、'.join(stray)}")
    return parsed


def _checked_seats(kind: str, seats, item_count: int) -> int | None:
    if kind != SELECTION:
        if seats is not None:
            raise _bad("只有项目票决需要设定应选数（seats）。")
        return None
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise _bad("项目票决必须设定应选数（seats，正整数）。")
    if not 1 <= seats <= item_count:
        raise _bad(f"应选数必须在1到候选项目数（{item_count}）之间。")
    return seats


def _new_ballot(meeting: Meeting, *, kind: str, title: str, items: list, seats=None, secret=True,
                rule=None, options=None, parent: Ballot | None = None) -> Ballot:
    """Validate and add a draft ballot with its items (flushed, not committed)."""
    if kind not in KINDS:
        raise _bad(f"未知的表决类型“{kind}”，可选：selection、motion、appraisal。")
    title = _text(title, "表决名称", 200)
    items = _checked_items(items)
    _check_sources(meeting, items)
    seats = _checked_seats(kind, seats, len(items))
    if not isinstance(secret, bool):
        raise _bad("secret 必须是 true 或 false。")
    options = _checked_options(kind, options)
    parsed_rule = _checked_rule(kind, rule, options)
    ballot = Ballot(meeting_id=meeting.id, body_id=meeting.body_id, kind=kind, title=title, seats=seats,
                    secret=secret, options_json=json.dumps(options), state=BallotState.draft.value,
                    rule_json=canonical_json(parsed_rule.to_json()).decode(),
                    round=(parent.round + 1) if parent else 1, parent_id=parent.id if parent else None)
    db.session.add(ballot)
    db.session.flush()
    for position, item in enumerate(items, start=1):
        db.session.add(BallotItem(ballot_id=ballot.id, position=position, title=item["title"],
                                  description=item["description"], reference=item["reference"],
                                  source_item_id=item["source_item_id"]))
    db.session.flush()
    return ballot


def create_ballot(meeting: Meeting, *, kind: str, title: str, items: list, seats: int | None = None,
                  secret: bool = True, rule: dict | None = None, options: list | None = None,
                  actor: str = "") -> Ballot:
    """A new draft ballot. `items`: [{"title", "description"?, "reference"?}]."""
    if meeting.closed_at is not None:
        raise invalid_transition("会议已经结束，不能再新建表决。")
    ballot = _new_ballot(meeting, kind=kind, title=title, items=items, seats=seats, secret=secret,
                         rule=rule, options=options)
    audit.record("ballot_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"kind": kind, "title": ballot.title, "items": len(items), "seats": ballot.seats})
    db.session.commit()
    return ballot


# --- the lifecycle ---------------------------------------------------------------------

def _lock_ballot(ballot_id: int, *, for_update: bool) -> Ballot:
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
    return (now or utcnow()).replace(microsecond=0)


def open_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> Ballot:
    """draft → open: check the quorum, freeze the rule, the total and the issued set
    (the deputies present now), and create the ballot's sealing keys."""
    ballot = _lock_ballot(ballot.id, for_update=True)
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
    ballot.opened_at = _now(now)
    if present:
        db.session.execute(insert(BallotVoter), [{"ballot_id": ballot.id, "deputy_id": d} for d in present])
    audit.record("ballot_opened", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"total": total, "issued": len(present), "rule": frozen.to_json()})
    db.session.commit()
    return ballot


def close_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> dict:
    """open → closed: count the sealed ballots under the frozen rule, store the signed
    tally sheet, and rewrite the ballot's rows so their storage order tells nothing."""
    ballot = _lock_ballot(ballot.id, for_update=True)
    _move(ballot, BallotState.closed)
    if anchors.recorded("closed", ballot.id):
        # closed before, as anchors.log (outside the database) says: the database was put back
        raise invalid_transition("这项表决已经结束过一次，不能再次结束（数据库中的状态被改回过，请运行 flask verify 核查）。")
    ballot.closed_at = _now(now)
    db.session.flush()
    hide_insertion_order(ballot.id)
    sheet = count_ballot(ballot)
    sheet["integrity"] = integrity_block(ballot.id, audit_head=audit.head())
    sheet["signature"] = keys.sign_sheet(sheet)
    db.session.add(TallySheet(ballot_id=ballot.id, sheet_json=canonical_json(sheet).decode()))
    entry = audit.record("ballot_closed", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                         details={"issued": sheet["issued"], "cast": sheet["cast"],
                                  "sheet_sha256": sheet_digest(sheet)})
    closed = (ballot.id, entry.entry_hash)
    db.session.commit()
    anchors.append("closed", *closed, sheet_sha256=sheet_digest(sheet))  # outside the database
    _scrub_storage_after_close()
    return sheet


def publish_ballot(ballot: Ballot, *, actor: str = "", now: datetime | None = None) -> Ballot:
    """closed → published: deputies may read the sheet, everyone signed in the receipts."""
    ballot = _lock_ballot(ballot.id, for_update=True)
    _move(ballot, BallotState.published)
    ballot.published_at = _now(now)
    if ballot.kind == SELECTION:
        track_published_selection(ballot)  # the selected items become tracked projects, in this transaction
    entry = audit.record("ballot_published", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id)
    published = (ballot.id, entry.entry_hash)
    db.session.commit()
    anchors.append("published", *published)  # outside the database
    return ballot


def trackers_digest(ballot_id: int) -> str:
    """SHA-256 (hex) of the ballot's trackers, sorted, each followed by "\n", UTF-8."""
    trackers = sorted(db.session.scalars(select(CastBallot.tracker).where(CastBallot.ballot_id == ballot_id)))
    return hashlib.sha256("".join(tracker + "\n" for tracker in trackers).encode("utf-8")).hexdigest()


def participation_count(ballot_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Participation).where(
        Participation.ballot_id == ballot_id)) or 0


def integrity_block(ballot_id: int, *, audit_head: str) -> dict:
    """What a signed sheet pins beyond its figures (issue #19): the audit chain's head
    when the ballot closed (the ballot_closed entry chains onto it), the digest of the
    sorted trackers (the receipts deputies hold) and the number of participations. A
    database writer who swaps ballots, adds a participation or rewrites the chain no
    longer matches the signature; `flask verify` recomputes all three."""
    return {"audit_head": audit_head, "trackers_sha256": trackers_digest(ballot_id),
            "participations": participation_count(ballot_id)}


def counted_part(sheet: dict) -> dict:
    """What `count_ballot` makes of a sheet: all but its signature and integrity block,
    so a recount compares equal to it."""
    return {key: value for key, value in sheet.items() if key not in ("signature", "integrity")}


def sheet_digest(sheet: dict) -> str:
    """SHA-256 of the signed part of a sheet, recorded in the audit chain at close."""
    return hashlib.sha256(canonical_json({k: v for k, v in sheet.items() if k != "signature"})).hexdigest()


# --- casting ---------------------------------------------------------------------------

def _checked_choices_shape(choices) -> dict:
    if not isinstance(choices, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                                for k, v in choices.items()):
        raise _bad("choices 必须是“项目编号 → 选择”的对象，例如 {\"12\": \"yes\"}。")
    if len(choices) > MAX_ITEMS:
        raise _bad("选择的项目过多。")
    return choices


def _item_keys(ballot: Ballot) -> list[str]:
    return [str(item.id) for item in ballot.items]


def _sealed_length(ballot: Ballot) -> int:
    """The padded plaintext size of this ballot: room for every item marked with
    its longest choice, so every sealed ballot of this ballot is the same size."""
    longest = max([*ballot.options, ABSTAIN], key=lambda option: len(option.encode()))
    return sealing.padded_length(len(canonical_json({key: longest for key in _item_keys(ballot)})))


def _seal_choices(ballot: Ballot, completed: dict) -> tuple[bytes, str]:
    sealed = sealing.seal(ballot.public_key, ballot.id, canonical_json(completed), _sealed_length(ballot))
    return sealed, sealing.tracker_for(sealed)


def _replayed_receipt(key_hash: str, idempotency_key: str) -> str | None:
    record = db.session.get(IdempotencyRecord, key_hash)
    if record is None:
        return None
    return idempotency.open_receipt(idempotency_key, key_hash, record.receipt)


def _checked_idempotency_key(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise Refusal(400, "idempotency_key_required", "缺少请求头 Idempotency-Key：请为每次投票生成一个唯一值，重试时保持不变。")
    if len(value) > idempotency.MAX_KEY_LENGTH:
        raise _bad(f"Idempotency-Key 不能超过{idempotency.MAX_KEY_LENGTH}个字符。")
    return value


def _voted_already() -> Refusal:
    return Refusal(409, "already_voted", "您已经对本项表决投过票，不能重复投票。")


def cast_vote(ballot: Ballot, deputy: Deputy, choices, idempotency_key) -> tuple[str, bool]:
    """A deputy's electronic vote. Returns (receipt, created): created is False when
    this is a retry of a stored vote (same Idempotency-Key and body).

    Refusals: 400 bad body or missing key · 404 other meeting · 409 ballot_not_open ·
    403 not_eligible (not present when the ballot opened) · 409 already_voted ·
    422 too_many_yes / unknown_item / unknown_choice. A refusal stores nothing.

    Two transactions: the checks and the sealing run in a read transaction; then a
    short write transaction takes the lock (SQLite: BEGIN IMMEDIATE; PostgreSQL: the
    ballot row FOR SHARE, which `close` must wait for), checks again that the ballot
    is open, and writes the participation, the cast ballot and the idempotency
    record together (a vote of the deputy stored meanwhile fails it on
    participation's primary key). So a hall of tablets queues only for
    the few milliseconds of the write, never for another tablet's checks."""
    idempotency_key = _checked_idempotency_key(idempotency_key)
    choices = _checked_choices_shape(choices)
    key_hash = idempotency.record_key(deputy.id, ballot.id, idempotency_key, choices)
    ballot = db.session.get(Ballot, ballot.id, populate_existing=True)
    if ballot is None:
        raise Refusal(404, "not_found", "未找到该表决。")
    if ballot.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "未找到该表决。")
    # A retry of a stored vote is answered with its receipt; it can only have been
    # stored by a deputy who has voted, so it is looked for only where one has (or
    # where the ballot closed since), not on every first cast.
    if ballot.state != BallotState.open.value:
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")
    if not is_eligible(ballot, deputy):
        raise Refusal(403, "not_eligible", "您在本项表决开始时未签到，不能参加本项表决。")
    if has_voted(ballot, deputy):
        # The same request may have been stored since we looked (a retry racing its original).
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        raise _voted_already()
    try:
        completed = check_choices(ballot.kind, item_keys=_item_keys(ballot), choices=choices,
                                  seats=ballot.seats, options=ballot.options)
    except ChoiceError as error:
        raise Refusal(422, error.code, error.message)
    sealed, tracker = _seal_choices(ballot, completed)
    ballot_id, deputy_id = ballot.id, deputy.id
    named = None if ballot.secret else canonical_json(completed).decode()
    sealed_receipt = idempotency.seal_receipt(idempotency_key, key_hash, tracker)
    db.session.commit()  # end the read transaction (the cast itself has written nothing yet)
    previous_intent = write_intent.set(True)
    try:
        return _store_cast(ballot_id, deputy_id, key_hash, idempotency_key, sealed, tracker, named, sealed_receipt)
    finally:
        write_intent.reset(previous_intent)


def _store_cast(ballot_id: int, deputy_id: int, key_hash: str, idempotency_key: str, sealed: bytes, tracker: str,
                named: str | None, sealed_receipt: bytes) -> tuple[str, bool]:
    """The write half of `cast_vote`, in one transaction under the lock."""
    state = db.session.scalar(select(Ballot.state).where(Ballot.id == ballot_id).with_for_update(read=True))
    if state != BallotState.open.value:
        db.session.rollback()
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")
    # A vote of this deputy stored since the checks (a retry racing its original) makes
    # the commit fail on participation's primary key: handled below, nothing of ours stored.
    db.session.add(Participation(ballot_id=ballot_id, deputy_id=deputy_id, channel="tablet"))
    db.session.add(CastBallot(id=secrets.token_hex(16), ballot_id=ballot_id, tracker=tracker, sealed=sealed,
                              channel="tablet", invalid=False))
    if named is not None:
        db.session.add(NamedVote(ballot_id=ballot_id, deputy_id=deputy_id, choices=named))
    db.session.add(IdempotencyRecord(key_hash=key_hash, ballot_id=ballot_id, receipt=sealed_receipt))
    try:
        db.session.commit()
    except IntegrityError:
        # Another submission of this deputy committed first: nothing of ours is stored.
        db.session.rollback()
        receipt = _replayed_receipt(key_hash, idempotency_key)
        if receipt is not None:
            return receipt, False
        if db.session.get(Participation, (ballot_id, deputy_id)) is None:
            raise  # not a double vote (cannot happen short of a tracker collision): a real error
        raise _voted_already()
    return tracker, True


# --- paper ballots (the teller's side; pages in the tally/paper domain) -----------------

def issue_paper_ballot(ballot: Ballot, deputy: Deputy, *, actor: str = "") -> None:
    """A teller hands the deputy a paper ballot: from now on the deputy cannot vote on
    a tablet (and cannot get a paper ballot after voting on one: 409 already_voted)."""
    ballot = _lock_ballot(ballot.id, for_update=False)
    if ballot.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    if ballot.state != BallotState.open.value:
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")
    if not is_eligible(ballot, deputy):
        raise Refusal(403, "not_eligible", "该代表在本项表决开始时未签到，不能领取选票。")
    if has_voted(ballot, deputy):
        raise _voted_already()
    db.session.add(Participation(ballot_id=ballot.id, deputy_id=deputy.id, channel="paper"))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise _voted_already()
    audit.record("paper_ballot_issued", actor=actor, subject=f"deputy:{deputy.id}", body_id=ballot.body_id,
                 details={"ballot": ballot.id})
    db.session.commit()


def record_paper_ballot(ballot: Ballot, choices, *, actor: str = "", allow_excess: bool = False) -> str:
    """A teller enters one paper ballot while the ballot is open. A ballot with more yes
    marks than seats is stored as invalid (作废) instead of being refused. Refused
    (409 paper_count_exceeded) when it would exceed the paper ballots issued, unless
    `allow_excess` (the sheet then shows the ballot void). Returns its tracker."""
    choices = _checked_choices_shape(choices)
    # FOR UPDATE: two tellers' entries must not both take the last paper ballot issued.
    ballot = _lock_ballot(ballot.id, for_update=True)
    if ballot.state != BallotState.open.value:
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")
    invalid = False
    try:
        completed = check_choices(ballot.kind, item_keys=_item_keys(ballot), choices=choices,
                                  seats=ballot.seats, options=ballot.options)
    except ChoiceError as error:
        if error.code != "too_many_yes":
            raise Refusal(422, error.code, error.message)
        invalid = True
        completed = {key: choices.get(key, ABSTAIN) for key in _item_keys(ballot)}
    if not allow_excess:
        issued = db.session.scalar(select(func.count()).select_from(Participation).where(
            Participation.ballot_id == ballot.id, Participation.channel == "paper"))
        entered = db.session.scalar(select(func.count()).select_from(CastBallot).where(
            CastBallot.ballot_id == ballot.id, CastBallot.channel == "paper"))
        if entered >= issued:
            raise Refusal(409, "paper_count_exceeded",
                              f"已录入的纸质选票（{entered}张）已达到发出数（{issued}张），不能再录入。")
    sealed, tracker = _seal_choices(ballot, completed)
    db.session.add(CastBallot(id=secrets.token_hex(16), ballot_id=ballot.id, tracker=tracker, sealed=sealed,
                              channel="paper", invalid=invalid))
    audit.record("paper_ballot_recorded", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id)
    db.session.commit()
    return tracker


# --- counting --------------------------------------------------------------------------

class CountError(Exception):
    """Stored ballots that cannot be counted (tampering or a lost key)."""


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") + "Z" if moment else None


def accepted_options(ballot: Ballot) -> list[str]:
    options = ballot.options
    return options + ([ABSTAIN] if ABSTAIN not in options else [])


def unsealed_casts(ballot: Ballot):
    """(channel, invalid, choices) of every stored cast ballot, unsealed with the
    ballot's private key. Raises CountError when a sealed ballot does not open or its
    tracker is not the hash of its sealed bytes."""
    private = sealing.unwrap_private_key(ballot.id, ballot.wrapped_private_key)
    rows = db.session.execute(select(CastBallot.sealed, CastBallot.tracker, CastBallot.channel, CastBallot.invalid)
                              .where(CastBallot.ballot_id == ballot.id).order_by(CastBallot.id))
    for sealed, tracker, channel, invalid in rows:
        if sealing.tracker_for(sealed) != tracker:
            raise CountError(f"表决 {ballot.id} 有一张选票的回执码与密封内容不符")
        try:
            choices = json.loads(sealing.unseal(private, ballot.id, sealed))
        except (sealing.SealError, ValueError) as error:
            raise CountError(f"表决 {ballot.id} 有一张选票无法解开：{error}") from error
        yield channel, bool(invalid), choices


def count_ballot(ballot: Ballot) -> dict:
    """The tally sheet of API.md (without its signature), computed from the stored
    sealed ballots and the frozen rule through `voting.rules.tally`."""
    items = list(ballot.items)
    choices_allowed = accepted_options(ballot)
    counts = {str(item.id): {choice: 0 for choice in choices_allowed} for item in items}
    channels = {"tablet": 0, "paper": 0}
    invalid = 0
    for channel, is_invalid, choices in unsealed_casts(ballot):
        channels[channel] += 1
        if is_invalid:
            invalid += 1
            continue
        for key, choice in choices.items():
            if key not in counts or choice not in counts[key]:
                raise CountError(f"表决 {ballot.id} 有一张选票的内容与表决项目不符")
            counts[key][choice] += 1
    trackers = channels["tablet"] + channels["paper"]
    # Paper ballots the tellers counted by hand and entered as totals (voting.ballots.paper).
    from voting.ballots.paper import add_paper_counts

    invalid += add_paper_counts(ballot, counts, channels)
    cast = channels["tablet"] + channels["paper"]
    rule = rule_from_json(ballot.kind, ballot.rule)
    result = tally(ballot.kind, rule, counts=counts, total=ballot.total or 0, issued=ballot.issued or 0,
                   cast=cast, invalid=invalid, seats=ballot.seats, options=ballot.options)
    sheet_items = []
    for item in items:
        key = str(item.id)
        decided = result.items.get(key)
        entry = {"id": key, "title": item.title, "counts": counts[key],
                 "outcome": decided.outcome if decided else VOID_OUTCOME,
                 "outcome_text": OUTCOME_NAMES.get(decided.outcome) if decided else "表决无效，须重新表决",
                 "rate": decided.to_json()["rate"] if decided else None,
                 "rank": decided.rank if decided else None}
        if decided and ballot.kind == APPRAISAL:
            for name in ("verdict", "score", "grade"):
                value = decided.to_json()[name]
                if value is not None:
                    entry[name] = value
        sheet_items.append(entry)
    meeting = ballot.meeting
    return {
        "ballot": {
            "id": str(ballot.id), "title": ballot.title, "kind": ballot.kind, "round": ballot.round,
            "parent_id": str(ballot.parent_id) if ballot.parent_id else None, "seats": ballot.seats,
            "secret": bool(ballot.secret), "options": ballot.options,
            "meeting": {"id": str(meeting.id), "name": meeting.name},
            "body": meeting.body.name if meeting.body else None,
            "opened_at": _iso(ballot.opened_at),
        },
        "total": ballot.total or 0,
        "issued": result.issued,
        "cast": result.cast,
        "not_voted": result.not_voted,
        "valid": result.valid,
        "invalid": result.invalid,
        "void": result.void,
        "items": sheet_items,
        "runoff": {"items": list(result.runoff_items), "seats": result.runoff_seats} if result.runoff_items else None,
        "seats_unfilled": result.seats_unfilled,
        "rule": rule.to_json(),
        "rule_text": rule_text(ballot.kind, rule, ballot.seats),
        "channels": channels,
        "trackers": trackers,
        "closed_at": _iso(ballot.closed_at),
    }


# --- hiding the order of insertion ----------------------------------------------------

_REWRITES = (
    (CastBallot.__table__, "id"),
    (Participation.__table__, "deputy_id"),
    (IdempotencyRecord.__table__, "key_hash"),
)


def hide_insertion_order(ballot_id: int) -> None:
    """Rewrite the ballot's cast ballots, participations and idempotency records in
    key order inside the closing transaction (`voting.residue`), so nothing pairs a
    participation with its cast ballot any more."""
    for table, order_column in _REWRITES:
        residue.rewrite_in_key_order(table, table.c.ballot_id == ballot_id, order_column)


def _scrub_storage_after_close() -> None:
    residue.scrub([table for table, _ in _REWRITES])


# --- later rounds ----------------------------------------------------------------------

def _round_title(parent: Ballot) -> str:
    return f"{ROUND_SUFFIX.sub('', parent.title)}（第{parent.round + 1}轮）"


def has_next_round(ballot: Ballot) -> bool:
    """Whether a runoff or re-appraisal round has been made from this ballot (in any meeting)."""
    return db.session.scalar(select(Ballot.id).where(Ballot.parent_id == ballot.id).limit(1)) is not None


def _next_round(parent: Ballot, items: list[BallotItem], *, seats: int | None, action: str, actor: str,
                meeting: Meeting | None = None) -> Ballot:
    """The next round, in the parent's meeting or in a later, still running meeting of
    the same body (a re-appraisal usually comes months after round 1)."""
    if has_next_round(parent):
        raise invalid_transition("已为这项表决发起过下一轮。")
    target = meeting if meeting is not None else parent.meeting
    if target.body_id != parent.body_id:
        raise Refusal(404, "not_found", "没有这次会议。")
    if target.closed_at is not None:
        raise invalid_transition(f"会议“{target.name}”已经结束，请在一次尚未结束的会议中发起下一轮。")
    child = _new_ballot(
        target, kind=parent.kind, title=_round_title(parent), seats=seats, secret=bool(parent.secret),
        rule=parent.rule, options=parent.options if parent.kind == APPRAISAL else None, parent=parent,
        items=[{"title": item.title, "description": item.description, "reference": item.reference,
                "source_item_id": item.id} for item in items])
    audit.record(action, actor=actor, subject=f"ballot:{child.id}", body_id=child.body_id,
                 details={"parent": parent.id, "round": child.round, "items": len(items), "seats": seats})
    db.session.commit()
    return child


def _finished_sheet(ballot: Ballot, kind: str, what: str) -> dict:
    if ballot.kind != kind or not ballot.results_available:
        raise invalid_transition(f"只有已结束的{what}才能发起下一轮。")
    sheet = stored_sheet(ballot)
    if sheet is None or sheet.get("void"):
        raise invalid_transition("这项表决无效，应重新表决，而不是发起下一轮。")
    return sheet


def start_runoff(ballot: Ballot, *, actor: str = "") -> Ballot:
    """再次投票: a new draft selection ballot (round + 1) among the items tied at the
    cut-off for the seats still open, or else among the items that did not pass
    for the unfilled seats. 409 invalid_transition when there is nothing to decide."""
    ballot = _lock_ballot(ballot.id, for_update=True)
    sheet = _finished_sheet(ballot, SELECTION, "项目票决")
    by_id = {str(item.id): item for item in ballot.items}
    if sheet["runoff"]:
        keys_, seats = sheet["runoff"]["items"], sheet["runoff"]["seats"]
    elif sheet["seats_unfilled"] > 0:
        keys_ = [entry["id"] for entry in sheet["items"] if entry["outcome"] == "failed"]
        seats = min(sheet["seats_unfilled"], len(keys_))
    else:
        raise invalid_transition("这项票决没有得票相等或未选满的名额，无需再次投票。")
    if not keys_:
        raise invalid_transition("没有可以再次投票的项目。")
    items = sorted((by_id[key] for key in keys_), key=lambda item: item.position)
    return _next_round(ballot, items, seats=seats, action="runoff_created", actor=actor)


def start_reappraisal(ballot: Ballot, *, actor: str = "", meeting: Meeting | None = None) -> Ballot:
    """A new draft appraisal (round + 1) of the items that were rereport_required,
    with the same options and rule, in `meeting` (default: the same meeting); round 1
    stays as it is."""
    ballot = _lock_ballot(ballot.id, for_update=True)
    sheet = _finished_sheet(ballot, APPRAISAL, "满意度测评")
    failing = {entry["id"] for entry in sheet["items"] if entry["outcome"] == "rereport_required"}
    if not failing:
        raise invalid_transition("没有须再办理、再报告的项目，无需再次测评。")
    items = [item for item in ballot.items if str(item.id) in failing]
    return _next_round(ballot, items, seats=None, action="reappraisal_created", actor=actor, meeting=meeting)
