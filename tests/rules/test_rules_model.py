"""Rules as data: defaults, JSON round trips, refusals and the printed text."""
import json
from fractions import Fraction

import pytest

from voting.rules import (
    GradedRule,
    MotionRule,
    RateRule,
    RuleError,
    SelectionRule,
    Threshold,
    WeightedRule,
    rule_from_json,
    rule_text,
)


@pytest.mark.parametrize(
    "kind, data, expected",
    [
        ("selection", None, {"threshold": {"fraction": "1/2", "inclusive": False, "base": "all"}}),
        ("motion", {}, {"threshold": {"fraction": "1/2", "inclusive": False, "base": "all"}}),
        ("motion", {"threshold": {"fraction": "2/3", "inclusive": True}},
         {"threshold": {"fraction": "2/3", "inclusive": True, "base": "all"}}),
        ("appraisal", None, {"mode": "rate", "threshold": {"fraction": "4/5", "inclusive": True, "base": "item_valid"}}),
        ("appraisal", {"mode": "graded"},
         {"mode": "graded", "threshold": {"fraction": "1/2", "inclusive": False, "base": "all"}}),
        ("appraisal", {"mode": "weighted"},
         {"mode": "weighted", "weights": {"satisfied": 100, "basically_satisfied": 75, "unsatisfied": 0},
          "bands": [[90, "优秀"], [75, "称职"], [60, "基本称职"]], "below": "不称职"}),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": "201/2"}, "bands": [["175/2", "好"]], "below": "差"},
         {"mode": "weighted", "weights": {"satisfied": "201/2"}, "bands": [["175/2", "好"]], "below": "差"}),
    ],
)
def test_defaults_are_filled_in_and_round_trip(kind, data, expected):
    rule = rule_from_json(kind, data)
    assert rule.to_json() == expected
    frozen = json.loads(json.dumps(rule.to_json()))
    assert rule_from_json(kind, frozen) == rule


def test_rule_classes_match_their_kinds():
    assert isinstance(rule_from_json("selection", None), SelectionRule)
    assert isinstance(rule_from_json("motion", None), MotionRule)
    assert isinstance(rule_from_json("appraisal", None), RateRule)
    assert isinstance(rule_from_json("appraisal", {"mode": "graded"}), GradedRule)
    assert isinstance(rule_from_json("appraisal", {"mode": "weighted"}), WeightedRule)
    assert rule_from_json("selection", None).threshold == Threshold(Fraction(1, 2), False, "all")


@pytest.mark.parametrize(
    "kind, data",
    [
        ("election", None),
        ("selection", []),
        ("selection", {"threshold": {"base": "members"}}),
        ("selection", {"threshold": {"fraction": "x/0"}}),
        ("selection", {"threshold": {"fraction": "1/0"}}),
        ("selection", {"threshold": {"fraction": "3/2"}}),
        ("selection", {"threshold": {"fraction": 0.5}}),
        ("selection", {"threshold": "1/2"}),
        ("selection", {"treshold": {"fraction": "1/2"}}),
        ("motion", {"mode": "rate"}),
        ("appraisal", {"mode": "percent"}),
        ("appraisal", {"mode": "rate", "weights": {"satisfied": 1}}),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": "lots"}}),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": 99.5}}),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": None}}),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": -1}}),
        ("appraisal", {"mode": "weighted", "weights": {}}),
        ("appraisal", {"mode": "weighted", "weights": [["satisfied", 100]]}),
        ("appraisal", {"mode": "weighted", "weights": {"": 100}}),
        ("appraisal", {"mode": "weighted", "bands": {"90": "优秀"}}),
        ("appraisal", {"mode": "weighted", "bands": [[60, "及格"], [90, "优秀"]]}),
        ("appraisal", {"mode": "weighted", "bands": [[90, "优秀"], [90, "称职"]]}),
        ("appraisal", {"mode": "weighted", "bands": [[90, "优秀"], [80, "优秀"]]}),
        ("appraisal", {"mode": "weighted", "bands": [[90]]}),
        ("appraisal", {"mode": "weighted", "bands": [[90, ""]]}),
        ("appraisal", {"mode": "weighted", "bands": [[90, "优秀"]], "below": "优秀"}),
        ("appraisal", {"mode": "weighted", "below": 0}),
    ],
)
def test_malformed_rules_are_refused_in_chinese(kind, data):
    with pytest.raises(RuleError) as raised:
        rule_from_json(kind, data)
    assert any("\u4e00" <= character <= "\u9fff" for character in str(raised.value))


def test_rule_error_is_a_value_error():
    assert issubclass(RuleError, ValueError)


@pytest.mark.parametrize(
    "kind, data, seats, text",
    [
        ("selection", None, 10,
         "候选项目获得全体代表过半数赞成票的，按得票多少顺序确定，取前10项；得票相等不能确定的，就得票相等的项目再次投票。"),
        ("selection", {"threshold": {"base": "present"}}, None,
         "候选项目获得出席代表过半数赞成票的，按得票多少顺序确定，取满应选项目数；得票相等不能确定的，就得票相等的项目再次投票。"),
        ("motion", None, None, "获得全体代表过半数赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "2/3", "inclusive": True}}, None, "获得全体代表三分之二以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "1/2", "inclusive": True}}, None, "获得全体代表半数以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "3/4", "base": "valid"}}, None, "获得有效票超过四分之三赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "1", "inclusive": True}}, None, "获得全体代表全数以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "0"}}, None, "获得全体代表超过零赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "11/20", "inclusive": True}}, None, "获得全体代表二十分之十一以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "51/100", "inclusive": True}}, None, "获得全体代表百分之五十一以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "71/120", "inclusive": True}}, None, "获得全体代表一百二十分之七十一以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "101/300", "inclusive": True}}, None, "获得全体代表三百分之一百零一以上赞成票的，为通过。"),
        ("motion", {"threshold": {"fraction": "600/1001", "inclusive": True}}, None, "获得全体代表1001分之六百以上赞成票的，为通过。"),
        ("appraisal", None, None,
         "满意和基本满意票之和占有效票（不含弃权、不了解）的比例达到80%（含）以上的为满意；不足80%的，须再办理、再报告。"),
        ("appraisal", {"threshold": {"fraction": "2/3", "inclusive": False, "base": "item_cast"}}, None,
         "满意和基本满意票之和占该项投票（含弃权、不了解）的比例超过三分之二的为满意；未超过三分之二的，须再办理、再报告。"),
        ("appraisal", {"threshold": {"base": "cast"}}, None,
         "满意和基本满意票之和占收回票的比例达到80%（含）以上的为满意；不足80%的，须再办理、再报告。"),
        ("appraisal", {"mode": "graded"}, None,
         "满意票超过全体代表半数的，评为满意；满意和基本满意票之和超过全体代表半数的，评为基本满意；其余评为不满意，须再办理、再报告。"),
        ("appraisal", {"mode": "graded", "threshold": {"fraction": "2/3", "inclusive": True}}, None,
         "满意票达到全体代表三分之二以上的，评为满意；满意和基本满意票之和达到全体代表三分之二以上的，评为基本满意；其余评为不满意，须再办理、再报告。"),
        ("appraisal", {"mode": "weighted", "weights": {"satisfied": 100, "basically_satisfied": 60, "unsatisfied": 0}}, None,
         "按满意100分、基本满意60分、不满意0分计算平均分（其他选项不计分），按得分由高到低排名，得分相同的名次并列；"
         "90分以上为优秀，75分以上为称职，60分以上为基本称职，不足60分为不称职，须再办理、再报告。"),
        ("appraisal", {"mode": "weighted", "weights": {"excellent": "221/3", "fair": 0}, "bands": []}, None,
         "按excellent73.67分、fair0分计算平均分（其他选项不计分），按得分由高到低排名，得分相同的名次并列。"),
    ],
)
def test_rule_text(kind, data, seats, text):
    assert rule_text(kind, rule_from_json(kind, data), seats) == text


def test_rule_text_refuses_a_rule_of_another_kind():
    with pytest.raises(RuleError):
        rule_text("selection", rule_from_json("motion", None))
    with pytest.raises(RuleError):
        rule_text("vote", rule_from_json("motion", None))


@pytest.mark.parametrize("value", ["1/" + "7" * 5000, "3" * 5000, "1/" + "1" * 19, 10 ** 5000],
                         ids=["denominator-5000-digits", "integer-text-5000-digits", "19-digits", "int-5000-digits"])
def test_numbers_too_long_for_a_rule_are_refused_with_a_message(value):
    from voting.rules.errors import RuleError
    from voting.rules.exact import parse_rational

    with pytest.raises(RuleError) as refused:
        parse_rational(value, "通过比例")
    assert "通过比例" in str(refused.value)


def test_the_longest_allowed_number_still_reads():
    from fractions import Fraction

    from voting.rules.exact import parse_rational

    assert parse_rational("1/" + "9" * 18, "x") == Fraction(1, 10 ** 18 - 1)
