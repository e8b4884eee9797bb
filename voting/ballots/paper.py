"""Paper ballots (纸质选票) in a mixed sitting: the tellers' side.

- Issuing: a teller marks a present, eligible deputy "paper ballot issued"; that is a
  `Participation` with channel 'paper', so the deputy can no longer vote on a tablet
  (409 already_voted), and a deputy who voted on a tablet gets no paper ballot
  (`issue_paper_ballot`).
- Entering one ballot at a time: checked like an electronic cast, except that more
  yes marks than seats makes it invalid (作废) instead of refused; stored sealed as a
  `CastBallot` with channel 'paper' (`record_paper_ballot`, `enter_ballot`).
- Entering a whole analog count: the tellers' totals per item plus the invalid count,
  stored sealed as one `PaperCount` row that the tally adds
  (`voting.ballots.counting.add_paper_counts`). Such ballots have no tracker each: the sheet's `trackers`
  counts only ballots cast or entered one at a time.

Paper entries never exceed the paper ballots issued: the entry that would is refused
(409 paper_count_exceeded) and nothing is stored. A paper ballot issued and never handed
back (the deputy took it away) is simply not entered: the sheet counts it as issued
but not cast (未投), and `flask verify` accepts entered ≤ issued for paper. Every entry is audited, without
its choices or totals: the audit log only says that N paper ballots were entered.
"""
import secrets

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from voting.ballots.casting import checked_choices_shape, item_keys, seal_choices, voted_already
from voting.ballots.counting import accepted_options
from voting.ballots.lifecycle import lock_ballot
from voting.ballots.reading import has_voted, is_eligible
from voting.ballots.models import Ballot, BallotState, CastBallot, PaperCount, Participation
from voting.extensions import db
from voting.integrity import audit, sealing
from voting.integrity.canonical import canonical_json
from voting.errors import Refusal
from voting.meetings.models import Deputy
from voting.rules import ABSTAIN, ChoiceError, check_choices, most_yes_in_totals
from voting.meetings.attendance import is_present

PAPER = "paper"
MAX_COUNT = 100_000

# `count_ballot` adds PaperCount rows to the tally (counting.add_paper_counts) and verify
# counts them as paper ballots entered. Setting this to False refuses entering totals
# (409 paper_totals_unavailable), for a congress whose rules demand single entries.
TOTALS_IN_TALLY = True


# --- reading ---------------------------------------------------------------------------

def _count(statement) -> int:
    return db.session.scalar(statement) or 0


def paper_issued(ballot: Ballot) -> int:
    return _count(select(func.count()).select_from(Participation).where(
        Participation.ballot_id == ballot.id, Participation.channel == PAPER))


def paper_entered(ballot: Ballot) -> int:
    """Paper ballots entered so far: one at a time plus those in counted batches."""
    single = _count(select(func.count()).select_from(CastBallot).where(
        CastBallot.ballot_id == ballot.id, CastBallot.channel == PAPER))
    return single + batch_ballots(ballot.id)


def batch_ballots(ballot_id: int) -> int:
    return _count(select(func.sum(PaperCount.ballots)).where(PaperCount.ballot_id == ballot_id))


def paper_status(ballot: Ballot) -> dict:
    issued, entered = paper_issued(ballot), paper_entered(ballot)
    return {"issued": issued, "entered": entered, "remaining": max(issued - entered, 0)}


def paper_holders(ballot: Ballot) -> list[Deputy]:
    """Deputies who were issued a paper ballot (that they took one, not how they voted)."""
    return list(db.session.scalars(
        select(Deputy).join(Participation, Participation.deputy_id == Deputy.id)
        .where(Participation.ballot_id == ballot.id, Participation.channel == PAPER)
        .order_by(Deputy.number, Deputy.id)))


# --- writing ---------------------------------------------------------------------------

def _locked_open_ballot(ballot: Ballot) -> Ballot:
    """The ballot row under FOR UPDATE (PostgreSQL; SQLite's write transaction already
    serializes), so two tellers' entries cannot both take the last paper ballot."""
    statement = (select(Ballot).where(Ballot.id == ballot.id).with_for_update()
                 .execution_options(populate_existing=True))
    ballot = db.session.execute(statement).scalar_one_or_none()
    if ballot is None:
        raise Refusal(404, "not_found", "未找到该表决。")
    if ballot.state != BallotState.open.value:
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中，不能录入纸质选票。")
    return ballot


def _refuse_excess(ballot: Ballot, adding: int) -> None:
    issued, entered = paper_issued(ballot), paper_entered(ballot)
    if entered + adding > issued:
        raise Refusal(409, "paper_count_exceeded",
                          f"纸质选票发出 {issued} 张，已录入 {entered} 张，"
                          f"再录入 {adding} 张将超过发出数，未保存。请核对后再录入。")


def issue_paper_ballot(ballot: Ballot, deputy: Deputy, *, actor: str = "") -> None:
    """A teller hands the deputy a paper ballot: from now on the deputy cannot vote on
    a tablet (and cannot get a paper ballot after voting on one: 409 already_voted)."""
    ballot = lock_ballot(ballot.id, for_update=False)
    if ballot.meeting_id != deputy.meeting_id:
        raise Refusal(404, "not_found", "本次会议没有这名代表。")
    if ballot.state != BallotState.open.value:
        raise Refusal(409, "ballot_not_open", "本项表决当前不在投票中。")
    if not is_eligible(ballot, deputy):
        raise Refusal(403, "not_eligible", "该代表在本项表决开始时未签到，不能领取选票。")
    if has_voted(ballot, deputy):
        raise voted_already()
    if not is_present(deputy.meeting_id, deputy.id):
        raise Refusal(403, "deputy_left", "该代表已签退离场，重新签到后才能领取纸质选票。")
    db.session.add(Participation(ballot_id=ballot.id, deputy_id=deputy.id, channel="paper"))
    try:
        db.session.flush()
    except IntegrityError:
        db.session.rollback()
        raise voted_already()
    audit.record("paper_ballot_issued", actor=actor, subject=f"deputy:{deputy.id}", body_id=ballot.body_id,
                 details={"ballot": ballot.id})
    db.session.commit()


def record_paper_ballot(ballot: Ballot, choices, *, actor: str = "") -> str:
    """A teller enters one paper ballot while the ballot is open. A ballot with more yes
    marks than seats is stored as invalid (作废) instead of being refused (the rule,
    `voting.rules.check_choices`, decides). Refused (409 paper_count_exceeded) when it
    would exceed the paper ballots issued. Returns its tracker."""
    return _record_paper_ballot(ballot, choices, actor=actor)[0]


def enter_ballot(ballot: Ballot, choices, *, actor: str = "") -> bool:
    """Enter one paper ballot; returns whether it was recorded as invalid (作废)."""
    return _record_paper_ballot(ballot, choices, actor=actor)[1]


def _record_paper_ballot(ballot: Ballot, choices, *, actor: str) -> tuple[str, bool]:
    choices = checked_choices_shape(choices)
    ballot = _locked_open_ballot(ballot)  # one lock, one rule for "more than issued"
    invalid = False
    try:
        completed = check_choices(ballot.kind, item_keys=item_keys(ballot), choices=choices,
                                  seats=ballot.seats, options=ballot.options)
    except ChoiceError as error:
        if error.code != "too_many_yes":
            raise Refusal(422, error.code, error.message)
        invalid = True
        completed = {key: choices.get(key, ABSTAIN) for key in item_keys(ballot)}
    _refuse_excess(ballot, 1)
    sealed, tracker = seal_choices(ballot, completed)
    db.session.add(CastBallot(id=secrets.token_hex(16), ballot_id=ballot.id, tracker=tracker, sealed=sealed,
                              channel=PAPER, invalid=invalid))
    audit.record("paper_ballot_recorded", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id)
    db.session.commit()
    return tracker, invalid


def _bad(message: str, code: str = "bad_request", status: int = 400) -> Refusal:
    return Refusal(status, code, message)


def _whole(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
        raise _bad(f"{what}必须是0到{MAX_COUNT}之间的整数。")
    return value


def checked_totals(ballot: Ballot, ballots, invalid, counts) -> dict:
    """The tellers' totals, completed and checked: every item present, known choices,
    whole numbers, each item's votes adding up to the valid ballots (an unmarked
    item is an abstention, so a missing abstain count is filled in), and no more yes
    marks than valid selection ballots can hold."""
    ballots = _whole(ballots, "汇总的选票张数（ballots）")
    if ballots < 1:
        raise _bad("汇总的选票张数（ballots）至少为1。")
    invalid = _whole(invalid, "无效票数（invalid）")
    if invalid > ballots:
        raise _bad(f"无效票（{invalid}）不能多于汇总的选票张数（{ballots}）。")
    valid = ballots - invalid
    if not isinstance(counts, dict):
        raise _bad("counts 必须是“项目编号 → 选择 → 票数”的对象。")
    titles = {str(item.id): item.title for item in ballot.items}
    unknown = sorted(set(counts) - set(titles))
    if unknown:
        raise _bad(f"选票上没有项目“{unknown[0]}”。", "unknown_item", 422)
    missing = [titles[key] for key in titles if key not in counts]
    if missing:
        raise _bad(f"缺少项目“{missing[0]}”的票数：每个项目都要填写。")
    accepted = accepted_options(ballot)
    completed = {}
    for key, title in titles.items():
        entry = counts[key]
        if not isinstance(entry, dict):
            raise _bad(f"项目“{title}”的票数必须是“选择 → 票数”的对象。")
        stray = sorted(set(entry) - set(accepted))
        if stray:
            raise _bad(f"项目“{title}”的选择“{stray[0]}”无效。", "unknown_choice", 422)
        numbers = {choice: _whole(entry.get(choice, 0), f"项目“{title}”的票数") for choice in accepted}
        marked = sum(n for choice, n in numbers.items() if choice != ABSTAIN)
        if marked > valid:
            raise _bad(f"项目“{title}”的票数合计 {marked} 多于有效票 {valid}。")
        if ABSTAIN in entry and marked + numbers[ABSTAIN] != valid:
            raise _bad(f"项目“{title}”各选择票数之和 {marked + numbers[ABSTAIN]} 与有效票 {valid} 不符。")
        numbers[ABSTAIN] = valid - marked
        completed[key] = numbers
    most = most_yes_in_totals(ballot.kind, ballot.seats, valid)
    yes = sum(numbers.get("yes", 0) for numbers in completed.values())
    if most is not None and yes > most:
        raise _bad(f"赞成票合计 {yes} 超过有效票 {valid} 张最多能投的 {most} 票"
                   f"（每张最多 {ballot.seats} 项）。多投的选票应计为无效票。", "too_many_yes", 422)
    return {"ballots": ballots, "invalid": invalid, "counts": completed}


def enter_totals(ballot: Ballot, *, ballots, invalid, counts, actor: str = "") -> dict:
    """Enter a batch of paper ballots counted by hand. Returns the stored totals."""
    if not TOTALS_IN_TALLY:
        raise Refusal(409, "paper_totals_unavailable",
                          "本系统尚未启用纸质选票汇总录入，请逐张录入纸质选票。")
    ballot = _locked_open_ballot(ballot)
    totals = checked_totals(ballot, ballots, invalid, counts)
    _refuse_excess(ballot, totals["ballots"])
    plaintext = canonical_json(totals)
    sealed = sealing.seal(ballot.public_key, ballot.id, plaintext, sealing.padded_length(len(plaintext)))
    db.session.add(PaperCount(id=secrets.token_hex(16), ballot_id=ballot.id, ballots=totals["ballots"],
                              tracker=sealing.tracker_for(sealed), sealed=sealed))
    audit.record("paper_totals_recorded", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"ballots": totals["ballots"]})
    db.session.commit()
    return totals
