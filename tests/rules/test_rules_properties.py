"""Properties that must hold for every ballot, not just the worked cases."""
import random
from fractions import Fraction

from hypothesis import assume, given, settings, strategies as st

from voting.rules import BASES, rule_from_json, tally

SHARES = [("1/2", False), ("1/2", True), ("2/3", True), ("1/3", False), ("4/5", True), ("3/5", False)]

# "Worse" for the item that gains the vote: failing is worst; passing but ranked out
# is better; a tie is better still because the runoff may seat it; selected is best.
SELECTION_ORDER = {"failed": 0, "not_selected": 1, "tie": 2, "selected": 3}
MOTION_ORDER = {"failed": 0, "passed": 1}
APPRAISAL_ORDER = {"no_valid_votes": 0, "rereport_required": 0, "satisfactory": 1}


@st.composite
def meetings(draw, choices=("yes", "no", "abstain")):
    """Consistent figures and, per item, votes that fit within the valid ballots."""
    total = draw(st.integers(1, 60))
    issued = draw(st.integers(0, total))
    cast = draw(st.integers(0, issued))
    invalid = draw(st.integers(0, cast))
    valid = cast - invalid
    keys = draw(st.lists(st.sampled_from("ABCDEFGH"), min_size=1, max_size=7, unique=True))
    counts = {key: draw(item_votes(choices, valid)) for key in keys}
    return dict(counts=counts, total=total, issued=issued, cast=cast, invalid=invalid)


@st.composite
def item_votes(draw, choices, valid):
    votes, left = {}, valid
    for choice in choices:
        votes[choice] = draw(st.integers(0, left))
        left -= votes[choice]
    return votes


@st.composite
def thresholds(draw):
    fraction, inclusive = draw(st.sampled_from(SHARES))
    return {"fraction": fraction, "inclusive": inclusive, "base": draw(st.sampled_from(BASES))}


def count_with(kind, data, meeting, seats=None):
    return tally(kind, rule_from_json(kind, data), seats=seats, **meeting)


@settings(deadline=None)
@given(meetings(), thresholds(), st.integers(1, 5))
def test_never_more_selected_than_seats_and_every_seat_is_accounted_for(meeting, threshold, seats):
    result = count_with("selection", {"threshold": threshold}, meeting, seats)
    selected = [key for key, item in result.items.items() if item.outcome == "selected"]
    assert len(selected) <= seats
    assert len(selected) + result.runoff_seats + result.seats_unfilled == seats
    assert result.runoff_seats < len(result.runoff_items) or result.runoff_items == []


def with_one_more_yes(meeting, key, taken_from):
    counts = {k: dict(v) for k, v in meeting["counts"].items()}
    counts[key][taken_from] -= 1
    counts[key]["yes"] += 1
    return {**meeting, "counts": counts}


@settings(deadline=None)
@given(meetings(), thresholds(), st.integers(1, 5), st.data())
def test_one_more_yes_never_worsens_that_items_outcome(meeting, threshold, seats, data):
    """One more yes: a ballot that marked the item no (or abstain) marks it yes
    instead, and nothing else changes; the item never moves down the order above."""
    key = data.draw(st.sampled_from(sorted(meeting["counts"])))
    sources = [choice for choice in ("no", "abstain") if meeting["counts"][key][choice] > 0]
    assume(sources)
    moved = with_one_more_yes(meeting, key, data.draw(st.sampled_from(sources)))
    for kind, order in (("selection", SELECTION_ORDER), ("motion", MOTION_ORDER)):
        before = count_with(kind, {"threshold": threshold}, meeting, seats).items[key].outcome
        after = count_with(kind, {"threshold": threshold}, moved, seats).items[key].outcome
        assert order[after] >= order[before], (kind, before, after)


def reordered(meeting, shuffler: random.Random) -> dict:
    keys = list(meeting["counts"])
    shuffler.shuffle(keys)
    return {**meeting, "counts": {key: meeting["counts"][key] for key in keys}}


@settings(deadline=None)
@given(meetings(), thresholds(), st.integers(1, 5), st.randoms(use_true_random=False))
def test_outcomes_do_not_depend_on_item_order(meeting, threshold, seats, shuffler):
    shuffled = reordered(meeting, shuffler)
    for kind in ("selection", "motion"):
        first = count_with(kind, {"threshold": threshold}, meeting, seats)
        assert first == count_with(kind, {"threshold": threshold}, shuffled, seats)
        assert first.to_json() == count_with(kind, {"threshold": threshold}, shuffled, seats).to_json()


APPRAISAL_CHOICES = ("satisfied", "basically_satisfied", "unsatisfied", "abstain", "unknown")


@settings(deadline=None)
@given(meetings(APPRAISAL_CHOICES), st.randoms(use_true_random=False))
def test_appraisal_outcomes_and_ranks_do_not_depend_on_item_order(meeting, shuffler):
    shuffled = reordered(meeting, shuffler)
    for rule in (None, {"mode": "graded"}, {"mode": "weighted"}):
        assert count_with("appraisal", rule, meeting).to_json() == count_with("appraisal", rule, shuffled).to_json()


@settings(deadline=None)
@given(meetings(APPRAISAL_CHOICES), thresholds(), st.data())
def test_rate_is_monotone_in_satisfied_votes(meeting, threshold, data):
    """Turning any other mark on an item into `satisfied` never lowers its rate
    (for any base) nor its outcome."""
    key = data.draw(st.sampled_from(sorted(meeting["counts"])))
    sources = [c for c in ("basically_satisfied", "unsatisfied", "abstain", "unknown") if meeting["counts"][key][c] > 0]
    assume(sources)
    counts = {k: dict(v) for k, v in meeting["counts"].items()}
    counts[key][data.draw(st.sampled_from(sources))] -= 1
    counts[key]["satisfied"] += 1
    rule = {"mode": "rate", "threshold": threshold}
    before = count_with("appraisal", rule, meeting).items[key]
    after = count_with("appraisal", rule, {**meeting, "counts": counts}).items[key]
    if before.rate is not None:
        assert after.rate >= before.rate
    assert APPRAISAL_ORDER[after.outcome] >= APPRAISAL_ORDER[before.outcome]


@settings(deadline=None)
@given(st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50))
def test_one_more_satisfied_vote_never_lowers_the_rate(satisfied, basically, unsatisfied, abstain):
    """A new satisfied ballot: (s+1)/(v+1) ≥ s/v whenever s ≤ v."""
    def rate(extra):
        item = {"satisfied": satisfied + extra, "basically_satisfied": basically,
                "unsatisfied": unsatisfied, "abstain": abstain}
        valid = sum(item.values())
        return tally("appraisal", rule_from_json("appraisal", None), counts={"R": item},
                     total=valid, issued=valid, cast=valid).items["R"].rate
    before, after = rate(0), rate(1)
    assert after >= (before if before is not None else Fraction(0))
