"""Thresholds `(fraction, inclusive, base)` and the figures their bases refer to.

One comparison serves every rule of RULES.md, done by integer cross-multiplication so
that "more than half" and "80% or more" are decided exactly at their edges.
"""
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

from voting.rules.errors import RuleError
from voting.rules.exact import fraction_text, parse_share

ALL = "all"
PRESENT = "present"
CAST = "cast"
VALID = "valid"
ITEM_VALID = "item_valid"
ITEM_CAST = "item_cast"

BASE_NAMES = {
    ALL: "全体代表",
    PRESENT: "出席代表",
    CAST: "收回票",
    VALID: "有效票",
    ITEM_VALID: "该项有效票",
    ITEM_CAST: "该项投票",
}
BASES = tuple(BASE_NAMES)

# Choices that say "I take no position"; RULES.md keeps them out of `item_valid`.
NOT_COUNTED = frozenset({"abstain", "unknown"})


@dataclass(frozen=True)
class Threshold:
    """`count` meets the threshold when count/base ≥ fraction (inclusive) or
    count/base > fraction (exclusive)."""

    fraction: Fraction
    inclusive: bool
    base: str

    def __post_init__(self):
        if self.base not in BASE_NAMES:
            raise RuleError(f"未知的计算基数“{self.base}”，可选：{'、'.join(BASES)}")
        if not isinstance(self.inclusive, bool):
            raise RuleError("门槛的“inclusive”必须是 true 或 false")
        object.__setattr__(self, "fraction", parse_share(self.fraction, "门槛比例"))
        if self.fraction == 1 and not self.inclusive:
            raise RuleError("“超过全部”的门槛永远无法达到")
        if self.fraction == 0 and self.inclusive:
            raise RuleError("“零以上”的门槛不需要任何赞成票，不能作为规则")

    def met(self, count: int, base_value: int) -> bool:
        """Exact comparison; an empty base (nobody to count against) never meets it."""
        if base_value <= 0:
            return False
        left = count * self.fraction.denominator
        right = self.fraction.numerator * base_value
        return left >= right if self.inclusive else left > right

    def to_json(self) -> dict:
        return {"fraction": fraction_text(self.fraction), "inclusive": self.inclusive, "base": self.base}

    @classmethod
    def from_json(cls, data, default: "Threshold") -> "Threshold":
        """Missing keys take the kind's default, so `{"base": "present"}` is enough."""
        if data is None:
            return default
        if not isinstance(data, Mapping):
            raise RuleError("门槛必须是一个对象，包含 fraction、inclusive、base")
        unknown = set(data) - {"fraction", "inclusive", "base"}
        if unknown:
            raise RuleError(f"门槛中有无法识别的设置：{'、'.join(sorted(unknown))}")
        return cls(
            fraction=data.get("fraction", default.fraction),
            inclusive=data.get("inclusive", default.inclusive),
            base=data.get("base", default.base),
        )


@dataclass(frozen=True)
class MeetingFigures:
    """The ballot-wide figures: `issued` (= present when the ballot opened), `cast`
    ballots received, `invalid` among them and `total` deputies seated (the base
    `all`; reconciliation alone does not need it)."""

    issued: int
    cast: int
    invalid: int = 0
    total: int | None = None

    @property
    def valid(self) -> int:
        return self.cast - self.invalid

    @property
    def not_voted(self) -> int:
        return max(self.issued - self.cast, 0)

    @property
    def void(self) -> bool:
        """More ballots came back than were issued: the vote must be retaken."""
        return self.cast > self.issued

    def reconciliation(self) -> dict:
        return {
            "issued": self.issued,
            "cast": self.cast,
            "invalid": self.invalid,
            "valid": self.valid,
            "not_voted": self.not_voted,
            "excess": max(self.cast - self.issued, 0),
            "void": self.void,
        }


def item_valid_votes(item_counts: Mapping[str, int]) -> int:
    """Votes on the item that take a position (abstain and unknown left out)."""
    return sum(count for choice, count in item_counts.items() if choice not in NOT_COUNTED)


def base_value(base: str, figures: MeetingFigures, item_counts: Mapping[str, int]) -> int:
    """The denominator a threshold's base names, for one item."""
    if base == ITEM_VALID:
        return item_valid_votes(item_counts)
    if base == ITEM_CAST:
        return sum(item_counts.values())
    return {ALL: figures.total, PRESENT: figures.issued, CAST: figures.cast, VALID: figures.valid}[base]


def rate_against(count: int, base: int) -> Fraction | None:
    """count/base as an exact fraction, or None when there is nothing to divide by."""
    return Fraction(count, base) if base > 0 else None
