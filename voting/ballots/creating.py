"""Creating a ballot (a draft): its items, options, seats and rule, all checked, nothing
stored on any refusal."""
import json
import re

from sqlalchemy import select

from voting.ballots.models import Ballot, BallotItem, BallotState
from voting.rules import ABSTAIN, DEFAULT_APPRAISAL_OPTIONS, YES_NO_OPTIONS
from voting.extensions import db
from voting.inputlimits import id_from
from voting.integrity import audit
from voting.integrity.canonical import canonical_json
from voting.errors import Refusal, invalid_transition
from voting.meetings.models import Meeting
from voting.rules import APPRAISAL, KINDS, SELECTION, RuleError, WeightedRule, rule_from_json


MAX_ITEMS = 200
MAX_OPTIONS = 10
OPTION_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


def bad_input(message: str) -> Refusal:
    return Refusal(400, "bad_request", message)


def _text(value, label: str, max_length: int, required: bool = True) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise bad_input(f"缺少{label}。")
        return ""
    if not isinstance(value, str):
        raise bad_input(f"{label}必须是文本。")
    value = value.strip()
    if len(value) > max_length:
        raise bad_input(f"{label}不能超过{max_length}个字符。")
    return value


def _checked_items(items) -> list[dict]:
    if not isinstance(items, list) or not items:
        raise bad_input("表决至少要有一个项目（items）。")
    if len(items) > MAX_ITEMS:
        raise bad_input(f"一项表决最多{MAX_ITEMS}个项目。")
    checked = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise bad_input(f"第{number}个项目必须是对象，包含 title。")
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
            raise bad_input(f"第{number}个项目的来源项目（source_item_id）必须是项目编号。")
        found = db.session.scalar(select(BallotItem.id).join(Ballot, Ballot.id == BallotItem.ballot_id).where(
            BallotItem.id == source, Ballot.body_id == meeting.body_id))
        if found is None:
            raise bad_input(f"第{number}个项目的来源项目（source_item_id）{source} 不存在。")
        item["source_item_id"] = source


def _checked_options(kind: str, options) -> list[str]:
    if kind != APPRAISAL:
        if options is not None and options != YES_NO_OPTIONS:
            raise bad_input("只有满意度测评可以设定选项（options）。")
        return list(YES_NO_OPTIONS)
    if options is None:
        return list(DEFAULT_APPRAISAL_OPTIONS)
    if not isinstance(options, list) or not 2 <= len(options) <= MAX_OPTIONS:
        raise bad_input(f"选项（options）必须是2到{MAX_OPTIONS}个选项的列表。")
    if not all(isinstance(option, str) and OPTION_NAME.match(option) for option in options):
        raise bad_input("选项名称只能由小写英文字母、数字和下划线组成，例如 satisfied。")
    if len(set(options)) != len(options):
        raise bad_input("选项不能重复。")
    return list(options)


def _checked_rule(kind: str, rule, options: list[str]):
    try:
        parsed = rule_from_json(kind, rule)
    except RuleError as error:
        raise bad_input(f"规则有误：{error}")
    if isinstance(parsed, WeightedRule):
        stray = sorted(set(parsed.weights) - set(options) - {ABSTAIN})
        if stray:
            raise bad_input(f"权重中的选项不在选项列表中：{'、'.join(stray)}")
    return parsed


def _checked_seats(kind: str, seats, item_count: int) -> int | None:
    if kind != SELECTION:
        if seats is not None:
            raise bad_input("只有项目票决需要设定应选数（seats）。")
        return None
    if isinstance(seats, bool) or not isinstance(seats, int):
        raise bad_input("项目票决必须设定应选数（seats，正整数）。")
    if not 1 <= seats <= item_count:
        raise bad_input(f"应选数必须在1到候选项目数（{item_count}）之间。")
    return seats


MAX_DURATION_SECONDS = 24 * 3600


def _checked_timing(rehearsal, duration_seconds) -> tuple[bool, int | None]:
    """A rehearsal flag and an optional preset voting time in whole seconds (1 s to 24 h)."""
    if not isinstance(rehearsal, bool):
        raise bad_input("rehearsal（试表决）必须是 true 或 false。")
    if duration_seconds is None:
        return rehearsal, None
    if isinstance(duration_seconds, bool) or not isinstance(duration_seconds, int) \
            or not 1 <= duration_seconds <= MAX_DURATION_SECONDS:
        raise bad_input(f"表决限时（duration_seconds）必须是1到{MAX_DURATION_SECONDS}之间的整数秒。")
    return rehearsal, duration_seconds


def new_ballot(meeting: Meeting, *, kind: str, title: str, items: list, seats=None, secret=True,
               rule=None, options=None, parent: Ballot | None = None, rehearsal=False,
               duration_seconds=None) -> Ballot:
    """Validate and add a draft ballot with its items (flushed, not committed)."""
    if kind not in KINDS:
        raise bad_input(f"未知的表决类型“{kind}”，可选：selection、motion、appraisal。")
    title = _text(title, "表决名称", 200)
    items = _checked_items(items)
    _check_sources(meeting, items)
    seats = _checked_seats(kind, seats, len(items))
    if not isinstance(secret, bool):
        raise bad_input("secret 必须是 true 或 false。")
    options = _checked_options(kind, options)
    parsed_rule = _checked_rule(kind, rule, options)
    rehearsal, duration_seconds = _checked_timing(rehearsal, duration_seconds)
    ballot = Ballot(rehearsal=rehearsal, duration_seconds=duration_seconds,
                    meeting_id=meeting.id, body_id=meeting.body_id, kind=kind, title=title, seats=seats,
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
                  actor: str = "", **timing) -> Ballot:
    """A new draft ballot, committed. `items`: [{"title", "description"?, "reference"?}]."""
    ballot = draft_ballot(meeting, kind=kind, title=title, items=items, seats=seats, secret=secret, rule=rule,
                          options=options, actor=actor, **timing)
    db.session.commit()
    return ballot


def draft_ballot(meeting: Meeting, *, kind: str, title: str, items: list, seats: int | None = None,
                 secret: bool = True, rule: dict | None = None, options: list | None = None,
                 actor: str = "", rehearsal: bool = False, duration_seconds: int | None = None) -> Ballot:
    """`create_ballot` inside the caller's transaction (the caller commits once, with
    its own changes: the candidate list put to a ballot, say)."""
    if meeting.closed_at is not None:
        raise invalid_transition("会议已经结束，不能再新建表决。")
    ballot = new_ballot(meeting, kind=kind, title=title, items=items, seats=seats, secret=secret,
                        rule=rule, options=options, rehearsal=rehearsal, duration_seconds=duration_seconds)
    details = {"kind": kind, "title": ballot.title, "items": len(items), "seats": ballot.seats}
    if ballot.rehearsal:
        details["rehearsal"] = True
    if ballot.duration_seconds:
        details["duration_seconds"] = ballot.duration_seconds
    audit.record("ballot_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details=details)
    return ballot
