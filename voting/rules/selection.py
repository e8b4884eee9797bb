"""项目票决: pass on yes, rank the passing items, fill the seats, send a tie that
straddles the last seat to a runoff (RULES.md, kind `selection`)."""
from voting.rules.model import SelectionRule
from voting.rules.ranking import competition_ranks, group_sizes
from voting.rules.results import FAILED, NOT_SELECTED, SELECTED, TIE, Decision, ItemResult
from voting.rules.thresholds import MeetingFigures, base_value, rate_against


def decide_selection(rule: SelectionRule, figures: MeetingFigures, counts: dict, seats: int) -> Decision:
    yes = {key: item.get("yes", 0) for key, item in counts.items()}
    bases = {key: base_value(rule.threshold.base, figures, item) for key, item in counts.items()}
    passing = {key: yes[key] for key in counts if rule.threshold.met(yes[key], bases[key])}
    ranks = competition_ranks(passing)
    placements = place_passing_items(passing, ranks, seats)
    items = {
        key: ItemResult(
            outcome=placements.get(key, FAILED),
            rank=ranks.get(key),
            rate=rate_against(yes[key], bases[key]),
        )
        for key in counts
    }
    runoff_items = sorted(key for key, outcome in placements.items() if outcome == TIE)
    return Decision(
        items=items,
        runoff_items=runoff_items,
        runoff_seats=seats_left_for_runoff(runoff_items, ranks, seats),
        seats_unfilled=max(seats - len(passing), 0),
    )


def place_passing_items(passing: dict, ranks: dict, seats: int) -> dict:
    """A group of equal yes counts occupies places rank … rank+size−1. Wholly within
    the seats it is selected, wholly beyond them it is ranked out, and across the
    last seat nobody can tell who is in, so the whole group goes to a runoff."""
    sizes = group_sizes(passing)
    placements = {}
    for key, rank in ranks.items():
        last_place = rank + sizes[passing[key]] - 1
        if last_place <= seats:
            placements[key] = SELECTED
        elif rank > seats:
            placements[key] = NOT_SELECTED
        else:
            placements[key] = TIE
    return placements


def seats_left_for_runoff(runoff_items: list, ranks: dict, seats: int) -> int:
    """The tied group starts at its shared rank; the places above it are taken."""
    if not runoff_items:
        return 0
    return seats - (ranks[runoff_items[0]] - 1)


def runoff_candidates_for_unfilled(result) -> list:
    """When fewer items passed than there are seats, the secretariat may hold a
    runoff among the items that failed; these are they, in key order."""
    if result.seats_unfilled <= 0:
        return []
    return sorted(key for key, item in result.items.items() if item.outcome == FAILED)
