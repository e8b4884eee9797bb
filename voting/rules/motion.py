"""表决: every item passes or fails on its own threshold (RULES.md, kind `motion`)."""
from voting.rules.model import MotionRule
from voting.rules.results import FAILED, PASSED, Decision, ItemResult
from voting.rules.thresholds import MeetingFigures, base_value, rate_against


def decide_motion(rule: MotionRule, figures: MeetingFigures, counts: dict, seats=None) -> Decision:
    """`seats` is accepted only so that every kind is decided through one signature."""
    return Decision(items={key: decide_one_motion(rule, figures, item) for key, item in counts.items()})


def decide_one_motion(rule: MotionRule, figures: MeetingFigures, item: dict) -> ItemResult:
    yes = item.get("yes", 0)
    base = base_value(rule.threshold.base, figures, item)
    outcome = PASSED if rule.threshold.met(yes, base) else FAILED
    return ItemResult(outcome=outcome, rate=rate_against(yes, base))
