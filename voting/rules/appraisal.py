"""满意度测评 and 述职评议 in the three modes of RULES.md: rate, graded, weighted.

An item nobody took a position on is `no_valid_votes` in every mode: an empty
appraisal must never read as a pass.
"""
from dataclasses import replace
from fractions import Fraction

from voting.rules.model import GradedRule, RateRule, WeightedRule
from voting.rules.ranking import competition_ranks
from voting.rules.results import NO_VALID_VOTES, REREPORT_REQUIRED, SATISFACTORY, Decision, ItemResult
from voting.rules.thresholds import MeetingFigures, base_value, item_valid_votes, rate_against

APPROVING = ("satisfied", "basically_satisfied")
NOTHING_TO_JUDGE = ItemResult(outcome=NO_VALID_VOTES)


def decide_appraisal(rule, figures: MeetingFigures, counts: dict, seats: int | None = None) -> Decision:
    """Judge each item with the rule's mode, then rank where the mode ranks."""
    judge, rank_by = MODE_JUDGES[type(rule)]
    judged = {key: judge(rule, figures, item) for key, item in counts.items()}
    return Decision(items=with_ranks(judged, rank_by))


def with_ranks(judged: dict, rank_by) -> dict:
    """Competition ranks over the items that have the ranked value at all."""
    if rank_by is None:
        return judged
    values = {key: getattr(item, rank_by) for key, item in judged.items()}
    ranks = competition_ranks({key: value for key, value in values.items() if value is not None})
    return {key: replace(item, rank=ranks.get(key)) for key, item in judged.items()}


def approving_votes(item: dict) -> int:
    return sum(item.get(choice, 0) for choice in APPROVING)


def judge_rate(rule: RateRule, figures: MeetingFigures, item: dict) -> ItemResult:
    """satisfactory when (satisfied + basically satisfied) / base meets the bar."""
    if item_valid_votes(item) == 0:
        return NOTHING_TO_JUDGE
    approving = approving_votes(item)
    base = base_value(rule.threshold.base, figures, item)
    outcome = SATISFACTORY if rule.threshold.met(approving, base) else REREPORT_REQUIRED
    return ItemResult(outcome=outcome, rate=rate_against(approving, base))


def judge_graded(rule: GradedRule, figures: MeetingFigures, item: dict) -> ItemResult:
    """满意 on satisfied alone, else 基本满意 on satisfied + basically satisfied,
    else 不满意; exactly half is not more than half."""
    if item_valid_votes(item) == 0:
        return NOTHING_TO_JUDGE
    base = base_value(rule.threshold.base, figures, item)
    approving = approving_votes(item)
    if rule.threshold.met(item.get("satisfied", 0), base):
        verdict = "satisfied"
    elif rule.threshold.met(approving, base):
        verdict = "basically_satisfied"
    else:
        verdict = "unsatisfied"
    outcome = REREPORT_REQUIRED if verdict == "unsatisfied" else SATISFACTORY
    return ItemResult(outcome=outcome, verdict=verdict, rate=rate_against(approving, base))


def judge_weighted(rule: WeightedRule, figures: MeetingFigures, item: dict) -> ItemResult:
    """Weighted mean over the scored votes; the lowest grade means re-report."""
    scored = sum(item.get(option, 0) for option in rule.weights)
    if scored == 0:
        return NOTHING_TO_JUDGE
    points = sum(weight * item.get(option, 0) for option, weight in rule.weights.items())
    score = Fraction(points) / scored
    grade = rule.grade(score)
    outcome = REREPORT_REQUIRED if rule.bands and grade == rule.below else SATISFACTORY
    return ItemResult(outcome=outcome, score=score, grade=grade)


MODE_JUDGES = {
    RateRule: (judge_rate, "rate"),
    GradedRule: (judge_graded, None),
    WeightedRule: (judge_weighted, "score"),
}


def below_the_line(outcome: str | None) -> bool:
    """Whether an appraised item's outcome (as a signed sheet states it, decided by its
    ballot's frozen rule) sends it back: the roll-up's "满意率低于80%" for rate-mode
    reports, whatever line the campaign froze. A void item is no figure either way."""
    return outcome == REREPORT_REQUIRED
