"""Reconciliation, figure checks, the JSON of a result and single-cast checks."""
import json
from fractions import Fraction

import pytest

from voting.rules import (
    ChoiceError,
    RuleError,
    check_choices,
    is_invalid_paper,
    percent_text,
    reconcile,
    rule_from_json,
    tally,
)

from tests.rules.helpers import count


def test_reconcile_splits_the_ballots():
    assert reconcile(190, 185, 5) == {
        "issued": 190, "cast": 185, "invalid": 5, "valid": 180, "not_voted": 5, "excess": 0, "void": False,
    }


def test_cast_more_than_issued_voids_the_ballot():
    assert reconcile(190, 191)["void"] is True
    assert reconcile(190, 191)["excess"] == 1
    assert reconcile(190, 190)["void"] is False
    result = count("selection", {"A": {"yes": 191}}, seats=1, total=200, issued=190, cast=191)
    assert result.void is True
    assert result.items == {} and result.runoff_items == [] and result.seats_unfilled == 1
    motion = count("motion", {"M": {"yes": 191}}, total=200, issued=190, cast=191)
    assert motion.void and motion.items == {} and motion.seats_unfilled == 0


@pytest.mark.parametrize(
    "figures",
    [
        dict(issued=-1, cast=0, invalid=0),
        dict(issued=10, cast=5, invalid=6),
        dict(issued=10, cast="5", invalid=0),
        dict(issued=10, cast=True, invalid=0),
    ],
)
def test_reconcile_refuses_impossible_figures(figures):
    with pytest.raises(RuleError):
        reconcile(**figures)


def test_results_carry_the_reconciliation():
    result = count("motion", {"M": {"yes": 150, "no": 30}}, total=200, issued=190, cast=185, invalid=5)
    assert (result.valid, result.not_voted, result.void) == (180, 5, False)


@pytest.mark.parametrize(
    "overrides",
    [
        dict(total=100, issued=101, cast=100),  # more present than seated
        dict(total=-1),
        dict(counts={"A": {"yes": 201}}),  # more votes on an item than valid ballots
        dict(counts={"A": {"yes": 100, "maybe": 1}}),
        dict(counts={"A": {"yes": -1}}),
        dict(counts={"A": {"yes": 1.0}}),
        dict(counts={"A": [100]}),
        dict(counts=[("A", {"yes": 1})]),
        dict(seats=None),
        dict(seats=0),
        dict(seats=True),
        dict(options="yes"),
        dict(options=["yes", ""]),
    ],
)
def test_tally_refuses_figures_that_cannot_be_right(overrides):
    arguments = dict(counts={"A": {"yes": 150}}, total=200, issued=200, cast=200, seats=1)
    arguments.update(overrides)
    with pytest.raises(RuleError):
        tally("selection", rule_from_json("selection", None), **arguments)


def test_tally_refuses_a_rule_of_another_kind():
    with pytest.raises(RuleError):
        tally("selection", rule_from_json("motion", None), counts={}, total=1, issued=1, cast=1, seats=1)


def test_custom_options_are_accepted_and_others_refused():
    options = ["excellent", "fair"]
    rule = {"mode": "weighted", "weights": {"excellent": 100, "fair": 50}, "bands": []}
    result = count("appraisal", {"O": {"excellent": 1, "fair": 1, "abstain": 1}}, total=3, rule=rule, options=options)
    assert result.items["O"].score == 75
    with pytest.raises(RuleError):
        count("appraisal", {"O": {"satisfied": 1}}, total=3, rule=rule, options=options)


def test_result_json_is_exact_and_plain():
    result = count("appraisal", {"R2": {"satisfied": 119, "basically_satisfied": 40, "unsatisfied": 41},
                                 "R1": {"satisfied": 200}})
    data = json.loads(json.dumps(result.to_json()))
    assert list(data["items"]) == ["R1", "R2"]
    assert data["items"]["R2"] == {
        "outcome": "rereport_required", "rank": 2, "rate": "159/200", "verdict": None, "score": None, "grade": None,
    }
    assert data["items"]["R1"]["rate"] == "1"
    assert (data["kind"], data["void"], data["valid"], data["seats"]) == ("appraisal", False, 200, None)


@pytest.mark.parametrize(
    "value, text",
    [(Fraction(4, 5), "80.00%"), (Fraction(159, 200), "79.50%"), (Fraction(2, 3), "66.67%"),
     (Fraction(1, 3), "33.33%"), (Fraction(1, 20000), "0.01%"), (Fraction(1, 20001), "0.00%"), (Fraction(1225, 100000), "1.23%"),
     (Fraction(1), "100.00%"), (Fraction(0), "0.00%")],
)
def test_percentages_round_half_up_for_display_only(value, text):
    assert percent_text(value) == text


ITEMS = ["A", "B", "C"]


def test_check_choices_completes_unmarked_items_with_abstain():
    assert check_choices("selection", item_keys=ITEMS, choices={"A": "yes"}, seats=2, options=None) == {
        "A": "yes", "B": "abstain", "C": "abstain",
    }
    assert check_choices("appraisal", item_keys=["R"], choices={}, seats=None, options=["satisfied"]) == {"R": "abstain"}
    assert check_choices("motion", item_keys=["M"], choices={"M": "abstain"}, seats=None, options=["yes", "no"]) == {
        "M": "abstain",
    }


@pytest.mark.parametrize(
    "kind, choices, seats, options, code",
    [
        ("selection", {"Z": "yes"}, 2, None, "unknown_item"),
        ("selection", {"A": "maybe"}, 2, None, "unknown_choice"),
        ("appraisal", {"A": "unknown"}, None, ["satisfied", "unsatisfied"], "unknown_choice"),
        ("selection", {"A": "yes", "B": "yes", "C": "yes"}, 2, None, "too_many_yes"),
    ],
)
def test_check_choices_refuses_bad_casts(kind, choices, seats, options, code):
    with pytest.raises(ChoiceError) as raised:
        check_choices(kind, item_keys=ITEMS, choices=choices, seats=seats, options=options)
    assert raised.value.code == code
    assert raised.value.message == str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_too_many_yes_message_says_how_many_are_allowed():
    with pytest.raises(ChoiceError, match="最多只能投2项，您投了3项"):
        check_choices("selection", item_keys=ITEMS, choices=dict.fromkeys(ITEMS, "yes"), seats=2, options=None)


def test_paper_with_more_yes_than_seats_is_invalid():
    assert is_invalid_paper("selection", {"A": "yes", "B": "yes"}, 1) is True
    assert is_invalid_paper("selection", {"A": "yes", "B": "no"}, 1) is False
    assert is_invalid_paper("motion", {"A": "yes", "B": "yes"}, 1) is False
    with pytest.raises(RuleError):
        is_invalid_paper("selection", {"A": "yes"}, None)
    with pytest.raises(RuleError):
        is_invalid_paper("referendum", {"A": "yes"}, 1)
