"""A rate as counted, before reduction: 18 of 30 reads "18/30", where the signed
sheet stores the exact, reduced "3/5". Display only; the verdict was made on the
same numbers by the kind's own rule."""
from collections.abc import Mapping

from voting.rules.appraisal import approving_votes
from voting.rules.model import APPRAISAL, rule_from_json
from voting.rules.thresholds import MeetingFigures, base_value


def rate_parts(kind: str, rule: Mapping | None, figures: Mapping, counts: Mapping) -> tuple[int, int] | None:
    """(count, base) behind an item's rate, from a sheet's figures (total, issued,
    cast, invalid) and the item's counts; None where the rule has no rate
    (weighted appraisal) or nothing to divide by."""
    threshold = getattr(rule_from_json(kind, rule), "threshold", None)
    if threshold is None:
        return None
    sheet_figures = MeetingFigures(issued=int(figures.get("issued", 0)), cast=int(figures.get("cast", 0)),
                                   invalid=int(figures.get("invalid", 0)), total=int(figures.get("total", 0)))
    base = base_value(threshold.base, sheet_figures, counts)
    if base <= 0:
        return None
    count = approving_votes(counts) if kind == APPRAISAL else int(counts.get("yes", 0))
    return count, base


def unreduced_rate_text(kind: str, rule: Mapping | None, figures: Mapping, counts: Mapping) -> str:
    """"18/30" (never reduced), or "" where there is no rate."""
    parts = rate_parts(kind, rule, figures, counts)
    return f"{parts[0]}/{parts[1]}" if parts else ""
