"""Appraisal (满意度测评, 述职评议) in rate, graded and weighted modes."""
from fractions import Fraction

import pytest

from voting.rules import WeightedRule

from tests.rules.helpers import count, outcomes


def appraised(satisfied, basically, unsatisfied, **extra) -> dict:
    return {"satisfied": satisfied, "basically_satisfied": basically, "unsatisfied": unsatisfied, **extra}


@pytest.mark.parametrize(
    "item, outcome, rate",
    [
        (appraised(3, 1, 1), "satisfactory", Fraction(4, 5)),  # exactly 80% of 5
        (appraised(2, 1, 2), "rereport_required", Fraction(3, 5)),
        (appraised(6, 2, 2), "satisfactory", Fraction(4, 5)),  # of 10
        (appraised(120, 40, 40), "satisfactory", Fraction(4, 5)),  # of 200
        (appraised(119, 40, 41), "rereport_required", Fraction(159, 200)),
        (appraised(100, 20, 30, abstain=50), "satisfactory", Fraction(4, 5)),  # abstain excluded
        (appraised(100, 19, 31, unknown=50), "rereport_required", Fraction(119, 150)),  # unknown excluded
        (appraised(20, 4, 6, abstain=3, unknown=2), "satisfactory", Fraction(4, 5)),  # of 30
        (appraised(23, 0, 6), "rereport_required", Fraction(23, 29)),
        (appraised(0, 0, 1, abstain=10), "rereport_required", Fraction(0)),
        (appraised(0, 1, 0), "satisfactory", Fraction(1)),
    ],
)
def test_rate_mode_table(item, outcome, rate):
    result = count("appraisal", {"R": item}, total=sum(item.values()))
    assert result.items["R"].outcome == outcome
    assert result.items["R"].rate == rate


@pytest.mark.parametrize("item", [appraised(0, 0, 0, abstain=40), appraised(0, 0, 0, unknown=3, abstain=2), {}])
def test_zero_valid_votes_is_not_a_pass_in_any_mode(item):
    for rule in (None, {"mode": "graded"}, {"mode": "weighted"}):
        result = count("appraisal", {"R": item}, total=50, issued=40, rule=rule)
        assert result.items["R"].outcome == "no_valid_votes"
        assert result.items["R"].rate is None and result.items["R"].rank is None


def test_rate_mode_item_cast_base_counts_abstentions():
    rule = {"mode": "rate", "threshold": {"fraction": "4/5", "inclusive": True, "base": "item_cast"}}
    result = count("appraisal", {"R": appraised(100, 20, 30, abstain=50)}, rule=rule)
    assert result.items["R"].rate == Fraction(3, 5)
    assert result.items["R"].outcome == "rereport_required"


def test_rate_mode_ranks_items_with_valid_votes_sharing_equal_rates():
    counts = {
        "R1": appraised(8, 0, 2),
        "R2": appraised(4, 0, 1),
        "R3": appraised(9, 0, 1),
        "R4": appraised(0, 0, 0, abstain=5),
    }
    result = count("appraisal", counts, total=10)
    assert {k: item.rank for k, item in result.items.items()} == dict(R1=2, R2=2, R3=1, R4=None)


@pytest.mark.parametrize(
    "item, verdict, outcome",
    [
        (appraised(15, 10, 4), "satisfied", "satisfactory"),  # 15 of 29 > half
        (appraised(14, 1, 14), "basically_satisfied", "satisfactory"),  # 14 alone is not > half
        (appraised(10, 4, 15), "unsatisfied", "rereport_required"),
        (appraised(14, 0, 15), "unsatisfied", "rereport_required"),
    ],
)
def test_graded_mode_on_an_odd_committee(item, verdict, outcome):
    result = count("appraisal", {"R": item}, total=29, rule={"mode": "graded"})
    assert (result.items["R"].verdict, result.items["R"].outcome) == (verdict, outcome)


@pytest.mark.parametrize(
    "item, verdict",
    [
        (appraised(15, 0, 15), "unsatisfied"),  # exactly half is 不满意
        (appraised(10, 5, 15), "unsatisfied"),
        (appraised(15, 1, 14), "basically_satisfied"),
        (appraised(16, 0, 14), "satisfied"),
    ],
)
def test_graded_mode_exactly_half_is_unsatisfied(item, verdict):
    result = count("appraisal", {"R": item}, total=30, rule={"mode": "graded"})
    assert result.items["R"].verdict == verdict
    assert result.items["R"].rate == Fraction(sum(item.values()) - item["unsatisfied"], 30)


def test_graded_mode_counts_against_all_deputies_not_those_who_voted():
    result = count("appraisal", {"R": appraised(12, 0, 0)}, total=29, issued=20, rule={"mode": "graded"})
    assert result.items["R"].verdict == "unsatisfied"


OFFICIALS_RULE = {
    "mode": "weighted",
    "weights": {"satisfied": 100, "basically_satisfied": 60, "unsatisfied": 0},
    "bands": [[90, "优秀"], [75, "称职"], [60, "基本称职"]],
    "below": "不称职",
}


def test_weighted_ties_share_a_rank_and_the_next_rank_skips():
    counts = {
        "O1": appraised(10, 0, 0),
        "O2": appraised(5, 0, 0, unknown=5),  # same score: unknown is not scored
        "O3": appraised(6, 4, 0),
        "O4": appraised(0, 0, 0, unknown=10),
    }
    result = count("appraisal", counts, total=10, rule=OFFICIALS_RULE)
    assert {k: item.rank for k, item in result.items.items()} == dict(O1=1, O2=1, O3=3, O4=None)
    assert result.items["O3"].score == Fraction(84)
    assert outcomes(result)["O4"] == "no_valid_votes"


@pytest.mark.parametrize(
    "item, score, grade, outcome",
    [
        (appraised(9, 0, 1), Fraction(90), "优秀", "satisfactory"),  # band minimum is inclusive
        (appraised(3, 1, 0), Fraction(90), "优秀", "satisfactory"),
        (appraised(1, 1, 0), Fraction(80), "称职", "satisfactory"),
        (appraised(0, 1, 0), Fraction(60), "基本称职", "satisfactory"),
        (appraised(1, 1, 1), Fraction(160, 3), "不称职", "rereport_required"),
        (appraised(2, 1, 0), Fraction(260, 3), "称职", "satisfactory"),
        (appraised(0, 0, 1, abstain=4), Fraction(0), "不称职", "rereport_required"),
    ],
)
def test_weighted_scores_and_grade_bands(item, score, grade, outcome):
    result = count("appraisal", {"O": item}, total=10, rule=OFFICIALS_RULE)
    assert (result.items["O"].score, result.items["O"].grade, result.items["O"].outcome) == (score, grade, outcome)


def test_weighted_without_bands_only_scores_and_ranks():
    rule = WeightedRule(weights={"satisfied": 100, "basically_satisfied": 75, "unsatisfied": 0}, bands=())
    result = count("appraisal", {"A": appraised(1, 1, 0), "B": appraised(0, 0, 2)}, total=2, rule=rule)
    assert result.items["A"].score == Fraction(175, 2) and result.items["A"].grade is None
    assert outcomes(result) == {"A": "satisfactory", "B": "satisfactory"}
    assert result.items["B"].rank == 2


def test_weighted_with_fractional_weights_stays_exact():
    rule = {"mode": "weighted", "weights": {"satisfied": "100", "basically_satisfied": "125/2"}, "bands": []}
    result = count("appraisal", {"O": appraised(1, 2, 0)}, total=3, rule=rule)
    assert result.items["O"].score == Fraction(225, 3)
