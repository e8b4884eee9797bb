"""What a tally returns: frozen records that serialize to exact JSON."""
from dataclasses import dataclass, field
from fractions import Fraction

from voting.rules.exact import fraction_text

SELECTED = "selected"
NOT_SELECTED = "not_selected"
FAILED = "failed"
TIE = "tie"
PASSED = "passed"
SATISFACTORY = "satisfactory"
REREPORT_REQUIRED = "rereport_required"
NO_VALID_VOTES = "no_valid_votes"


def _exact_or_none(value: Fraction | None) -> str | None:
    return None if value is None else fraction_text(value)


@dataclass(frozen=True)
class ItemResult:
    """One item's outcome. `rate` is count / base of the rule's threshold (selection,
    motion, rate and graded modes); `score` and `grade` belong to weighted mode;
    `verdict` to graded mode; `rank` is a competition rank where the kind ranks."""

    outcome: str
    rank: int | None = None
    rate: Fraction | None = None
    verdict: str | None = None
    score: Fraction | None = None
    grade: str | None = None

    def to_json(self) -> dict:
        return {
            "outcome": self.outcome,
            "rank": self.rank,
            "rate": _exact_or_none(self.rate),
            "verdict": self.verdict,
            "score": _exact_or_none(self.score),
            "grade": self.grade,
        }


@dataclass(frozen=True)
class Decision:
    """The part of a tally that a kind decides; the reconciliation is added around it."""

    items: dict
    runoff_items: list = field(default_factory=list)
    runoff_seats: int = 0
    seats_unfilled: int = 0


@dataclass(frozen=True)
class TallyResult:
    """A complete tally. A `void` result (more ballots back than issued) decides
    nothing: its `items` are empty and the ballot must be retaken."""

    kind: str
    void: bool
    issued: int
    cast: int
    invalid: int
    valid: int
    not_voted: int
    seats: int | None
    items: dict
    runoff_items: list
    runoff_seats: int
    seats_unfilled: int

    def to_json(self) -> dict:
        return {
            "kind": self.kind,
            "void": self.void,
            "issued": self.issued,
            "cast": self.cast,
            "invalid": self.invalid,
            "valid": self.valid,
            "not_voted": self.not_voted,
            "seats": self.seats,
            "items": {key: item.to_json() for key, item in self.items.items()},
            "runoff_items": list(self.runoff_items),
            "runoff_seats": self.runoff_seats,
            "seats_unfilled": self.seats_unfilled,
        }
