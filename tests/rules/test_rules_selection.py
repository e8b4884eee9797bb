"""Selection (项目票决) and motion (表决) at every edge of RULES.md."""
from fractions import Fraction

import pytest

from voting.rules import runoff_candidates_for_unfilled

from tests.rules.helpers import count, outcomes


def yes_only(**yes_by_item) -> dict:
    """Items with the given yes counts; the rest of 200 ballots vote no."""
    return {key: {"yes": yes, "no": 200 - yes} for key, yes in yes_by_item.items()}


@pytest.mark.parametrize(
    "title, yes, seats, expected, runoff_items, runoff_seats, seats_unfilled",
    [
        ("clean", dict(A=150, B=140, C=120, D=110), 3,
         dict(A="selected", B="selected", C="selected", D="not_selected"), [], 0, 0),
        ("tie at the cut-off", dict(A=150, B=140, C=120, D=120, E=110), 3,
         dict(A="selected", B="selected", C="tie", D="tie", E="not_selected"), ["C", "D"], 1, 0),
        ("tie inside the seats", dict(A=150, B=140, C=140, D=110), 3,
         dict(A="selected", B="selected", C="selected", D="not_selected"), [], 0, 0),
        ("tie wholly below the cut-off", dict(A=150, B=140, C=130, D=120, E=120), 3,
         dict(A="selected", B="selected", C="selected", D="not_selected", E="not_selected"), [], 0, 0),
        ("tie from the top exactly filling the seats", dict(A=150, B=150, C=150, D=110), 3,
         dict(A="selected", B="selected", C="selected", D="not_selected"), [], 0, 0),
        ("three-way tie for one seat", dict(A=130, B=120, C=120, D=120), 2,
         dict(A="selected", B="tie", C="tie", D="tie"), ["B", "C", "D"], 1, 0),
        ("three-way tie for two seats", dict(A=130, B=120, C=120, D=120), 3,
         dict(A="selected", B="tie", C="tie", D="tie"), ["B", "C", "D"], 2, 0),
        ("every passing item tied", dict(A=120, B=120, C=120, D=90), 2,
         dict(A="tie", B="tie", C="tie", D="failed"), ["A", "B", "C"], 2, 0),
        ("tie among failed items changes nothing", dict(A=150, B=90, C=90), 2,
         dict(A="selected", B="failed", C="failed"), [], 0, 1),
        ("too few passing", dict(A=150, B=100, C=80), 3,
         dict(A="selected", B="failed", C="failed"), [], 0, 2),
        ("tied passing items fewer than seats", dict(A=120, B=120), 3,
         dict(A="selected", B="selected"), [], 0, 1),
        ("nothing passes", dict(A=100, B=0), 1, dict(A="failed", B="failed"), [], 0, 1),
        ("exactly half is not a majority", dict(A=100, B=101), 2, dict(A="failed", B="selected"), [], 0, 1),
    ],
)
def test_selection_table(title, yes, seats, expected, runoff_items, runoff_seats, seats_unfilled):
    result = count("selection", yes_only(**yes), seats=seats)
    assert outcomes(result) == expected, title
    assert result.runoff_items == runoff_items
    assert result.runoff_seats == runoff_seats
    assert result.seats_unfilled == seats_unfilled


def test_selection_ranks_passing_items_by_competition_and_leaves_failed_unranked():
    result = count("selection", yes_only(A=150, B=140, C=140, D=110, E=90), seats=3)
    assert {key: item.rank for key, item in result.items.items()} == dict(A=1, B=2, C=2, D=4, E=None)


def test_selection_rate_is_yes_over_the_threshold_base():
    result = count("selection", yes_only(A=150), seats=1, total=250, issued=200)
    assert result.items["A"].rate == Fraction(150, 250)
    result = count("selection", yes_only(A=150), seats=1, total=250, issued=200,
                   rule={"threshold": {"base": "present"}})
    assert result.items["A"].rate == Fraction(3, 4)


def test_selection_odd_total():
    result = count("selection", yes_only(A=101, B=100), seats=2, total=201, issued=200)
    assert outcomes(result) == dict(A="selected", B="failed")


def test_selection_item_valid_base_ignores_abstentions():
    counts = {"A": {"yes": 60, "no": 59, "abstain": 81}, "B": {"yes": 59, "no": 60, "abstain": 81}}
    result = count("selection", counts, seats=2, rule={"threshold": {"base": "item_valid"}})
    assert outcomes(result) == dict(A="selected", B="failed")
    assert result.items["A"].rate == Fraction(60, 119)


def test_selection_with_zero_valid_votes_selects_nothing():
    result = count("selection", {"A": {}, "B": {"abstain": 0}}, seats=1, issued=150, cast=0)
    assert outcomes(result) == dict(A="failed", B="failed")
    assert result.seats_unfilled == 1
    assert result.not_voted == 150


def test_item_valid_base_with_only_abstentions_fails_without_a_rate():
    result = count("selection", {"A": {"abstain": 200}}, seats=1, rule={"threshold": {"base": "item_valid"}})
    assert outcomes(result) == dict(A="failed")
    assert result.items["A"].rate is None


def test_runoff_candidates_are_the_failed_items_when_seats_stay_open():
    result = count("selection", yes_only(C=80, A=150, B=100), seats=3)
    assert runoff_candidates_for_unfilled(result) == ["B", "C"]
    full = count("selection", yes_only(A=150, B=140, C=20), seats=2)
    assert runoff_candidates_for_unfilled(full) == []


@pytest.mark.parametrize(
    "rule, yes, total, outcome",
    [
        (None, 101, 200, "passed"),
        (None, 100, 200, "failed"),  # exactly half
        (None, 101, 201, "passed"),  # odd total
        (None, 100, 201, "failed"),
        ({"threshold": {"fraction": "2/3", "inclusive": True}}, 134, 200, "passed"),
        ({"threshold": {"fraction": "2/3", "inclusive": True}}, 133, 200, "failed"),
        ({"threshold": {"fraction": "2/3", "inclusive": True}}, 200, 300, "passed"),
        ({"threshold": {"fraction": "2/3", "inclusive": False}}, 200, 300, "failed"),
    ],
)
def test_motion_table(rule, yes, total, outcome):
    result = count("motion", {"M": {"yes": yes, "no": total - yes}}, rule=rule, total=total)
    assert result.items["M"].outcome == outcome
    assert result.items["M"].rate == Fraction(yes, total)
    assert result.items["M"].rank is None


def test_motion_items_are_independent_and_ignore_seats():
    result = count("motion", {"M1": {"yes": 150}, "M2": {"yes": 150}, "M3": {"no": 150}}, seats=1)
    assert outcomes(result) == dict(M1="passed", M2="passed", M3="failed")
    assert result.seats is None and result.runoff_items == [] and result.seats_unfilled == 0
