"""The counting rules of shared/RULES.md: pure, exact, standard library only.

Every page, export and check counts through `tally` under a rule read with
`rule_from_json`, so there is one rule in one place and no floating point anywhere.
"""
from voting.rules.appraisal import below_the_line
from voting.rules.choices import (
    ABSTAIN, DEFAULT_APPRAISAL_OPTIONS, DEFAULT_OPTIONS, YES_NO_OPTIONS, cast_options, check_choices, is_invalid_paper,
    most_yes_in_totals, option_limit,
)
from voting.rules.errors import ChoiceError, RuleError
from voting.rules.exact import fraction_text, percent_text
from voting.rules.model import (
    APPRAISAL,
    KINDS,
    MODES,
    MOTION,
    SELECTION,
    GradedRule,
    MotionRule,
    RateRule,
    Rule,
    SelectionRule,
    WeightedRule,
    rule_from_json,
    rule_text,
)
from voting.rules.quorum import QuorumRule
from voting.rules.results import ItemResult, TallyResult
from voting.rules.selection import runoff_candidates_for_unfilled
from voting.rules.tally import reconcile, tally
from voting.rules.thresholds import BASES, Threshold
from voting.rules.wording import OPTION_NAMES, OUTCOME_NAMES

__all__ = [
    "most_yes_in_totals",
    "cast_options",
    "option_limit",
    "ABSTAIN",
    "DEFAULT_APPRAISAL_OPTIONS",
    "YES_NO_OPTIONS",
    "below_the_line",
    "APPRAISAL",
    "BASES",
    "DEFAULT_OPTIONS",
    "KINDS",
    "MODES",
    "MOTION",
    "OPTION_NAMES",
    "OUTCOME_NAMES",
    "SELECTION",
    "ChoiceError",
    "GradedRule",
    "ItemResult",
    "MotionRule",
    "QuorumRule",
    "RateRule",
    "Rule",
    "RuleError",
    "SelectionRule",
    "TallyResult",
    "Threshold",
    "WeightedRule",
    "check_choices",
    "fraction_text",
    "is_invalid_paper",
    "percent_text",
    "reconcile",
    "rule_from_json",
    "rule_text",
    "runoff_candidates_for_unfilled",
    "tally",
]
