"""One entry point for every count: check the figures, reconcile, let the kind decide.

Items are handled in key order so that the order a caller happens to store them in
can never change a result or its JSON.
"""
from voting.rules.appraisal import decide_appraisal
from voting.rules.choices import accepted_choices, require_seats
from voting.rules.errors import RuleError
from voting.rules.model import APPRAISAL, MOTION, SELECTION, check_rule_kind
from voting.rules.motion import decide_motion
from voting.rules.results import Decision, TallyResult
from voting.rules.selection import decide_selection
from voting.rules.thresholds import MeetingFigures

DECIDERS = {SELECTION: decide_selection, MOTION: decide_motion, APPRAISAL: decide_appraisal}


def require_count(value, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise RuleError(f"{what}必须是非负整数，收到的是 {value!r}")
    return value


def reconcile(issued: int, cast: int, invalid: int = 0) -> dict:
    """RULES.md "Reconciliation": not_voted = issued − cast, valid = cast − invalid,
    and cast > issued voids the ballot (`excess` says by how many)."""
    return reconciled_figures(issued, cast, invalid).reconciliation()


def reconciled_figures(issued: int, cast: int, invalid: int, total: int | None = None) -> MeetingFigures:
    require_count(issued, "发出票数")
    require_count(cast, "收回票数")
    require_count(invalid, "无效票数")
    if invalid > cast:
        raise RuleError(f"无效票（{invalid}）不能多于收回票（{cast}）")
    return MeetingFigures(issued=issued, cast=cast, invalid=invalid, total=total)


def checked_figures(total: int, issued: int, cast: int, invalid: int) -> MeetingFigures:
    figures = reconciled_figures(issued, cast, invalid, require_count(total, "全体代表人数"))
    if issued > total:
        raise RuleError(f"出席（发票）人数{issued}不能多于全体代表{total}人")
    return figures


def checked_counts(kind: str, counts, options) -> dict:
    """Counts in key order, each a non-negative integer for an accepted choice."""
    if not isinstance(counts, dict):
        raise RuleError("票数必须是“项目 → 选择 → 票数”的对象")
    accepted = accepted_choices(kind, options)
    checked = {}
    for key in sorted(counts):
        item = counts[key]
        if not isinstance(item, dict):
            raise RuleError(f"项目“{key}”的票数必须是“选择 → 票数”的对象")
        unknown = sorted(set(item) - accepted)
        if unknown:
            raise RuleError(f"项目“{key}”有无法识别的选择：{'、'.join(map(str, unknown))}")
        checked[key] = {choice: require_count(n, f"项目“{key}”的“{choice}”票数") for choice, n in item.items()}
    return checked


def refuse_more_votes_than_ballots(counts: dict, figures: MeetingFigures) -> None:
    """Each valid ballot marks an item at most once, so no item can hold more votes."""
    for key, item in counts.items():
        if sum(item.values()) > figures.valid:
            raise RuleError(f"项目“{key}”的票数合计{sum(item.values())}多于有效票{figures.valid}")


def tally(
    kind: str,
    rule,
    *,
    counts: dict[str, dict[str, int]],
    total: int,
    issued: int,
    cast: int,
    invalid: int = 0,
    seats: int | None = None,
    options: list[str] | None = None,
) -> TallyResult:
    """Count one ballot under its frozen rule. `counts` maps item → choice → votes;
    a missing choice is 0. Raises RuleError on figures that cannot be right."""
    check_rule_kind(kind, rule)
    figures = checked_figures(total, issued, cast, invalid)
    seats = require_seats(seats) if kind == SELECTION else None
    counts = checked_counts(kind, counts, options)
    if figures.void:
        decision = Decision(items={}, seats_unfilled=seats or 0)
    else:
        refuse_more_votes_than_ballots(counts, figures)
        decision = DECIDERS[kind](rule, figures, counts, seats)
    return TallyResult(
        kind=kind,
        void=figures.void,
        issued=issued,
        cast=cast,
        invalid=invalid,
        valid=figures.valid,
        not_voted=figures.not_voted,
        seats=seats,
        items=decision.items,
        runoff_items=decision.runoff_items,
        runoff_seats=decision.runoff_seats,
        seats_unfilled=decision.seats_unfilled,
    )
