"""Thresholds and quorum at their edges, compared exactly (never with floats)."""
from fractions import Fraction

import pytest

from voting.rules import QuorumRule, RuleError, Threshold
from voting.rules.thresholds import MeetingFigures, base_value

MORE_THAN_HALF = Threshold(Fraction(1, 2), False, "all")
TWO_THIRDS_OR_MORE = Threshold(Fraction(2, 3), True, "all")
EIGHTY_PERCENT_OR_MORE = Threshold(Fraction(4, 5), True, "item_valid")


@pytest.mark.parametrize(
    "threshold, count, base, met",
    [
        (MORE_THAN_HALF, 100, 200, False),  # exactly half is not a majority
        (MORE_THAN_HALF, 101, 200, True),
        (MORE_THAN_HALF, 100, 201, False),  # odd total
        (MORE_THAN_HALF, 101, 201, True),
        (MORE_THAN_HALF, 1, 1, True),
        (MORE_THAN_HALF, 0, 1, False),
        (TWO_THIRDS_OR_MORE, 134, 200, True),
        (TWO_THIRDS_OR_MORE, 133, 200, False),
        (TWO_THIRDS_OR_MORE, 200, 300, True),  # exactly two thirds, inclusive
        (TWO_THIRDS_OR_MORE, 199, 300, False),
        (EIGHTY_PERCENT_OR_MORE, 4, 5, True),  # exactly 80% with several denominators
        (EIGHTY_PERCENT_OR_MORE, 3, 5, False),
        (EIGHTY_PERCENT_OR_MORE, 8, 10, True),
        (EIGHTY_PERCENT_OR_MORE, 160, 200, True),
        (EIGHTY_PERCENT_OR_MORE, 159, 200, False),
        (EIGHTY_PERCENT_OR_MORE, 120, 150, True),
        (EIGHTY_PERCENT_OR_MORE, 119, 150, False),
        (EIGHTY_PERCENT_OR_MORE, 23, 29, False),  # 79.3%
        (EIGHTY_PERCENT_OR_MORE, 24, 29, True),  # 82.8%
        (EIGHTY_PERCENT_OR_MORE, 0, 0, False),  # nothing to count against
        (MORE_THAN_HALF, 0, 0, False),
    ],
)
def test_threshold_edges(threshold, count, base, met):
    assert threshold.met(count, base) is met


def test_threshold_reads_fraction_text():
    assert Threshold("2/3", True, "all").fraction == Fraction(2, 3)


@pytest.mark.parametrize(
    "fraction, inclusive, base, message_part",
    [
        (Fraction(1, 2), False, "everyone", "基数"),
        (Fraction(3, 2), True, "all", "0到1"),
        ("x/0", True, "all", "分子/分母"),
        ("1/0", True, "all", "分母不能为零"),
        (0.5, True, "all", "整数"),
        (True, True, "all", "整数"),
        (-1, True, "all", "负数"),
        (Fraction(1, 2), "yes", "all", "inclusive"),
        (1, False, "all", "无法达到"),
        (0, True, "all", "零以上"),
    ],
)
def test_bad_thresholds_are_refused(fraction, inclusive, base, message_part):
    with pytest.raises(RuleError, match=message_part):
        Threshold(fraction, inclusive, base)


def test_threshold_json_keeps_defaults_for_missing_keys():
    assert Threshold.from_json({"base": "present"}, MORE_THAN_HALF) == Threshold(Fraction(1, 2), False, "present")
    assert Threshold.from_json(None, MORE_THAN_HALF) is MORE_THAN_HALF
    assert Threshold.from_json(TWO_THIRDS_OR_MORE.to_json(), MORE_THAN_HALF) == TWO_THIRDS_OR_MORE


@pytest.mark.parametrize("data", [[], "2/3", {"fraction": "2/3", "percent": 66}])
def test_threshold_json_refuses_bad_shapes(data):
    with pytest.raises(RuleError):
        Threshold.from_json(data, MORE_THAN_HALF)


FIGURES = MeetingFigures(total=200, issued=190, cast=185, invalid=5)
ITEM = {"yes": 100, "no": 50, "abstain": 20, "unknown": 10}


@pytest.mark.parametrize(
    "base, expected",
    [("all", 200), ("present", 190), ("cast", 185), ("valid", 180), ("item_valid", 150), ("item_cast", 180)],
)
def test_each_base_names_its_denominator(base, expected):
    assert base_value(base, FIGURES, ITEM) == expected


@pytest.mark.parametrize(
    "present, total, met",
    [
        (133, 200, False),  # quorum minus one
        (134, 200, True),
        (200, 300, True),  # exactly two thirds
        (199, 300, False),
        (2, 3, True),
        (1, 3, False),
        (0, 0, False),  # nobody seated, nothing to open
    ],
)
def test_default_quorum_is_two_thirds_inclusive(present, total, met):
    assert QuorumRule().met(present, total) is met


@pytest.mark.parametrize("total", [1, 2, 3, 29, 150, 200, 201, 300])
def test_quorum_required_is_the_smallest_that_meets_it(total):
    for rule in (QuorumRule(), QuorumRule(Fraction(1, 2), inclusive=False)):
        required = rule.required(total)
        assert rule.met(required, total)
        assert not rule.met(required - 1, total)


def test_standing_committee_quorum_is_more_than_half():
    rule = QuorumRule.from_json({"fraction": "1/2", "inclusive": False})
    assert rule.required(30) == 16
    assert rule.required(29) == 15
    assert rule.text() == "出席代表超过全体代表半数"


def test_quorum_refusal_shows_present_total_and_required():
    rule = QuorumRule()
    assert rule.refusal(134, 200) is None
    message = rule.refusal(133, 200)
    assert "200" in message and "133" in message and "134" in message
    assert QuorumRule().required(0) == 1


def test_quorum_json_round_trip():
    assert QuorumRule().to_json() == {"fraction": "2/3", "inclusive": True}
    assert QuorumRule.from_json(None) == QuorumRule()
    assert QuorumRule.from_json({"inclusive": False}) == QuorumRule(Fraction(2, 3), False)
    rule = QuorumRule(Fraction(3, 5), False)
    assert QuorumRule.from_json(rule.to_json()) == rule


@pytest.mark.parametrize(
    "data", ["2/3", {"fraction": "3/2"}, {"fraction": "2/3", "inclusive": "yes"}, {"share": "2/3"}, {"fraction": 0.66}]
)
def test_bad_quorum_rules_are_refused(data):
    with pytest.raises(RuleError):
        QuorumRule.from_json(data)
