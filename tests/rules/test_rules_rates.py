"""The unreduced rate shown beside the percentage: 18 of 30 is "18/30", not "3/5"."""
import pytest

from voting.rules.rates import rate_parts, unreduced_rate_text

FIGURES = {"total": 30, "issued": 30, "cast": 30, "invalid": 0}


@pytest.mark.parametrize("kind, rule, counts, want", [
    ("selection", None, {"yes": 18, "no": 10, "abstain": 2}, "18/30"),
    ("motion", None, {"yes": 15, "no": 15}, "15/30"),
    ("appraisal", None, {"satisfied": 12, "basically_satisfied": 6, "unsatisfied": 6, "abstain": 6}, "18/24"),
    ("selection", None, {"yes": 0, "no": 30}, "0/30"),
])
def test_unreduced_rate(kind, rule, counts, want):
    assert unreduced_rate_text(kind, rule, FIGURES, counts) == want


def test_no_base_no_rate():
    empty = {"total": 0, "issued": 0, "cast": 0, "invalid": 0}
    assert rate_parts("selection", None, empty, {"yes": 0}) is None
    assert unreduced_rate_text("selection", None, empty, {"yes": 0}) == ""
