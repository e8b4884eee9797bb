"""The quorum a ballot needs before it may open (RULES.md, "Quorum")."""
from dataclasses import dataclass
from fractions import Fraction
from typing import Mapping

from voting.rules.errors import RuleError
from voting.rules.exact import fraction_text, parse_share
from voting.rules.wording import share_words


@dataclass(frozen=True)
class QuorumRule:
    """present ≥ 2/3 of all deputies by default; a standing committee sets
    `QuorumRule(Fraction(1, 2), inclusive=False)` (more than half of its members)."""

    fraction: Fraction = Fraction(2, 3)
    inclusive: bool = True

    def __post_init__(self):
        if not isinstance(self.inclusive, bool):
            raise RuleError("法定人数规则的“inclusive”必须是 true 或 false")
        object.__setattr__(self, "fraction", parse_share(self.fraction, "法定人数比例"))

    def required(self, total: int) -> int:
        """The smallest number present that meets the quorum; at least one deputy,
        because a meeting with nobody present decides nothing."""
        share = self.fraction * total
        if self.inclusive:
            needed = -(-share.numerator // share.denominator)
        else:
            needed = share.numerator // share.denominator + 1
        return max(needed, 1)

    def met(self, present: int, total: int) -> bool:
        return total > 0 and present >= self.required(total)

    def refusal(self, present: int, total: int) -> str | None:
        """The message shown when opening is refused, or None when the quorum is met."""
        if self.met(present, total):
            return None
        return (
            f"出席人数不足，不能开始表决：应到{total}人，实到{present}人，"
            f"按“{self.text()}”至少需要{self.required(total)}人。"
        )

    def text(self) -> str:
        words = share_words(self.fraction)
        return f"出席代表{'达到' if self.inclusive else '超过'}全体代表{words}{'以上' if self.inclusive else ''}"

    def to_json(self) -> dict:
        return {"fraction": fraction_text(self.fraction), "inclusive": self.inclusive}

    @classmethod
    def from_json(cls, data) -> "QuorumRule":
        """None means the default rule of RULES.md; missing keys take the defaults."""
        if data is None:
            return cls()
        if not isinstance(data, Mapping):
            raise RuleError("法定人数规则必须是一个对象，包含 fraction、inclusive")
        unknown = set(data) - {"fraction", "inclusive"}
        if unknown:
            raise RuleError(f"法定人数规则中有无法识别的设置：{'、'.join(sorted(unknown))}")
        default = cls()
        return cls(data.get("fraction", default.fraction), data.get("inclusive", default.inclusive))
