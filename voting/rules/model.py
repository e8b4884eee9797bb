"""Rules as data: the dataclasses, their JSON form and their plain-Chinese text.

A ballot freezes `rule.to_json()` when it opens; `rule_from_json` reads it back with
every default of RULES.md filled in, so a tally can be recomputed years later from
the stored ballots and that frozen text alone.
"""
from dataclasses import dataclass, field
from fractions import Fraction
from typing import ClassVar, Mapping, Union

from voting.rules.errors import RuleError
from voting.rules.exact import json_number, parse_rational
from voting.rules.thresholds import ALL, BASE_NAMES, ITEM_CAST, ITEM_VALID, Threshold
from voting.rules.wording import option_name, number_words, share_as_percent_or_words, share_words

SELECTION = "selection"
MOTION = "motion"
APPRAISAL = "appraisal"
KINDS = (SELECTION, MOTION, APPRAISAL)

RATE = "rate"
GRADED = "graded"
WEIGHTED = "weighted"
MODES = (RATE, GRADED, WEIGHTED)

MAJORITY_OF_ALL = Threshold(Fraction(1, 2), False, ALL)
SATISFACTION_BAR = Threshold(Fraction(4, 5), True, ITEM_VALID)

# RULES.md names 100 / 75 / 55 / 0 and 优秀 ≥ 90, 称职 ≥ 75, 基本称职 ≥ 60 as examples;
# the defaults score the three default options and use those bands.
DEFAULT_WEIGHTS = {
    "satisfied": Fraction(100),
    "basically_satisfied": Fraction(75),
    "unsatisfied": Fraction(0),
}
DEFAULT_BANDS = ((Fraction(90), "优秀"), (Fraction(75), "称职"), (Fraction(60), "基本称职"))
DEFAULT_BELOW = "不称职"


def majority_words(threshold: Threshold) -> str:
    """The adjective form: 全体代表过半数 / 全体代表三分之二以上."""
    base = BASE_NAMES[threshold.base]
    if threshold.fraction == Fraction(1, 2) and not threshold.inclusive:
        return f"{base}过半数"
    share = share_words(threshold.fraction)
    return f"{base}{share}以上" if threshold.inclusive else f"{base}超过{share}"


def reach_words(threshold: Threshold) -> str:
    """The verb form used by the graded verdict: 超过全体代表半数 / 达到…以上."""
    base = BASE_NAMES[threshold.base]
    share = share_words(threshold.fraction)
    return f"达到{base}{share}以上" if threshold.inclusive else f"超过{base}{share}"


@dataclass(frozen=True)
class SelectionRule:
    """项目票决: items pass on yes votes, the first `seats` passing items are chosen."""

    kind: ClassVar[str] = SELECTION
    threshold: Threshold = MAJORITY_OF_ALL

    def to_json(self) -> dict:
        return {"threshold": self.threshold.to_json()}

    def text(self, seats: int | None = None) -> str:
        take = f"取前{seats}项" if seats is not None else "取满应选项目数"
        return (
            f"候选项目获得{majority_words(self.threshold)}赞成票的，按得票多少顺序确定，{take}；"
            "得票相等不能确定的，就得票相等的项目再次投票。"
        )


@dataclass(frozen=True)
class MotionRule:
    """表决: each item passes or fails on its own."""

    kind: ClassVar[str] = MOTION
    threshold: Threshold = MAJORITY_OF_ALL

    def to_json(self) -> dict:
        return {"threshold": self.threshold.to_json()}

    def text(self, seats: int | None = None) -> str:
        return f"获得{majority_words(self.threshold)}赞成票的，为通过。"


@dataclass(frozen=True)
class RateRule:
    """满意度测评, rate mode: (satisfied + basically satisfied) / base against a bar."""

    kind: ClassVar[str] = APPRAISAL
    mode: ClassVar[str] = RATE
    threshold: Threshold = SATISFACTION_BAR

    def to_json(self) -> dict:
        return {"mode": RATE, "threshold": self.threshold.to_json()}

    def text(self, seats: int | None = None) -> str:
        bar = share_as_percent_or_words(self.threshold.fraction)
        if self.threshold.inclusive:
            passes, fails = f"达到{bar}（含）以上", f"不足{bar}"
        else:
            passes, fails = f"超过{bar}", f"未超过{bar}"
        return (
            f"满意和基本满意票之和占{rate_denominator_words(self.threshold.base)}的比例{passes}的为满意；"
            f"{fails}的，须再办理、再报告。"
        )


def rate_denominator_words(base: str) -> str:
    """Voters read "有效票" as the marked ballots, so the item bases spell out what
    happens to 弃权 and 不了解."""
    if base == ITEM_VALID:
        return "有效票（不含弃权、不了解）"
    if base == ITEM_CAST:
        return "该项投票（含弃权、不了解）"
    return BASE_NAMES[base]


@dataclass(frozen=True)
class GradedRule:
    """Standing-committee verdict: 满意 / 基本满意 / 不满意 against a share of `all`."""

    kind: ClassVar[str] = APPRAISAL
    mode: ClassVar[str] = GRADED
    threshold: Threshold = MAJORITY_OF_ALL

    def to_json(self) -> dict:
        return {"mode": GRADED, "threshold": self.threshold.to_json()}

    def text(self, seats: int | None = None) -> str:
        reach = reach_words(self.threshold)
        return (
            f"满意票{reach}的，评为满意；满意和基本满意票之和{reach}的，评为基本满意；"
            "其余评为不满意，须再办理、再报告。"
        )


@dataclass(frozen=True)
class WeightedRule:
    """述职评议 of officials: a weighted mean score, optional grade bands, a ranking.
    Options without a weight (such as 不了解) are not scored."""

    kind: ClassVar[str] = APPRAISAL
    mode: ClassVar[str] = WEIGHTED
    weights: Mapping[str, Fraction] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    bands: tuple = DEFAULT_BANDS
    below: str = DEFAULT_BELOW

    def __post_init__(self):
        object.__setattr__(self, "weights", checked_weights(self.weights))
        object.__setattr__(self, "bands", checked_bands(self.bands))
        object.__setattr__(self, "below", checked_label(self.below, "最低等次名称"))
        if self.below in {label for _, label in self.bands}:
            raise RuleError(f"最低等次“{self.below}”与分档名称重复")

    def grade(self, score: Fraction) -> str | None:
        """The first band whose minimum the score reaches (≥); None without bands."""
        if not self.bands:
            return None
        for minimum, label in self.bands:
            if score >= minimum:
                return label
        return self.below

    def to_json(self) -> dict:
        return {
            "mode": WEIGHTED,
            "weights": {option: json_number(weight) for option, weight in self.weights.items()},
            "bands": [[json_number(minimum), label] for minimum, label in self.bands],
            "below": self.below,
        }

    def text(self, seats: int | None = None) -> str:
        weights = "、".join(f"{option_name(o)}{number_words(w)}分" for o, w in self.weights.items())
        scoring = f"按{weights}计算平均分（其他选项不计分），按得分由高到低排名，得分相同的名次并列"
        if not self.bands:
            return scoring + "。"
        bands = "，".join(f"{number_words(m)}分以上为{label}" for m, label in self.bands)
        lowest = number_words(self.bands[-1][0])
        return f"{scoring}；{bands}，不足{lowest}分为{self.below}，须再办理、再报告。"


def checked_weights(weights) -> dict:
    if not isinstance(weights, Mapping) or not weights:
        raise RuleError("权重必须是一个非空对象，例如 {\"satisfied\": 100}")
    checked = {}
    for option, weight in weights.items():
        if not isinstance(option, str) or not option:
            raise RuleError(f"权重的选项名称无效：{option!r}")
        checked[option] = parse_rational(weight, f"选项“{option}”的权重")
    return checked


def checked_bands(bands) -> tuple:
    """Bands are [minimum, label] pairs in strictly descending order, so that the
    first one reached is the grade and no two bands claim the same score."""
    if not isinstance(bands, (list, tuple)):
        raise RuleError("分档必须是列表，例如 [[90, \"优秀\"], [75, \"称职\"]]")
    checked = tuple(checked_band(band) for band in bands)
    minimums = [minimum for minimum, _ in checked]
    if any(higher <= lower for higher, lower in zip(minimums, minimums[1:])):
        raise RuleError("分档的最低分必须从高到低排列且互不相同")
    labels = [label for _, label in checked]
    if len(set(labels)) != len(labels):
        raise RuleError("分档名称不能重复")
    return checked


def checked_band(band) -> tuple:
    if not isinstance(band, (list, tuple)) or len(band) != 2:
        raise RuleError(f"每一档应写成 [最低分, 名称]，收到的是 {band!r}")
    minimum, label = band
    return parse_rational(minimum, "分档最低分"), checked_label(label, "分档名称")


def checked_label(label, what: str) -> str:
    if not isinstance(label, str) or not label.strip():
        raise RuleError(f"{what}必须是非空文字")
    return label


Rule = Union[SelectionRule, MotionRule, RateRule, GradedRule, WeightedRule]


def rule_from_json(kind: str, data: Mapping | None) -> Rule:
    """Read a rule in the `rule` shape of rules-cases.json; None or {} gives the
    default of RULES.md for that kind. Unknown keys are refused so that a typo
    cannot silently fall back to a default."""
    require_kind(kind)
    if data is None:
        data = {}
    if not isinstance(data, Mapping):
        raise RuleError("规则必须是一个对象")
    if kind == APPRAISAL:
        return _appraisal_rule_from_json(data)
    refuse_unknown_keys(data, {"threshold"})
    rule_class = SelectionRule if kind == SELECTION else MotionRule
    return rule_class(Threshold.from_json(data.get("threshold"), MAJORITY_OF_ALL))


def _appraisal_rule_from_json(data: Mapping) -> Rule:
    mode = data.get("mode", RATE)
    if mode == RATE:
        refuse_unknown_keys(data, {"mode", "threshold"})
        return RateRule(Threshold.from_json(data.get("threshold"), SATISFACTION_BAR))
    if mode == GRADED:
        refuse_unknown_keys(data, {"mode", "threshold"})
        return GradedRule(Threshold.from_json(data.get("threshold"), MAJORITY_OF_ALL))
    if mode == WEIGHTED:
        refuse_unknown_keys(data, {"mode", "weights", "bands", "below"})
        return WeightedRule(
            weights=data.get("weights", DEFAULT_WEIGHTS),
            bands=data.get("bands", DEFAULT_BANDS),
            below=data.get("below", DEFAULT_BELOW),
        )
    raise RuleError(f"未知的测评方式“{mode}”，可选：{'、'.join(MODES)}")


def require_kind(kind: str) -> None:
    if kind not in KINDS:
        raise RuleError(f"未知的表决类型“{kind}”，可选：{'、'.join(KINDS)}")


def refuse_unknown_keys(data: Mapping, known: set) -> None:
    unknown = set(data) - known
    if unknown:
        raise RuleError(f"规则中有无法识别的设置：{'、'.join(sorted(map(str, unknown)))}")


def check_rule_kind(kind: str, rule: Rule) -> None:
    """A motion rule handed to a selection tally is a bug, never a choice."""
    require_kind(kind)
    if getattr(rule, "kind", None) != kind:
        raise RuleError(f"规则与表决类型“{kind}”不符")


def rule_text(kind: str, rule: Rule, seats: int | None = None) -> str:
    """The rule in force, in the words printed on the tally sheet."""
    check_rule_kind(kind, rule)
    return rule.text(seats)
