"""Plain-Chinese words for shares, options and outcomes, shared by every rule text
so that the tally sheet, the quorum message and the ballot screen say the same thing."""
from fractions import Fraction

from voting.rules.exact import rounded_half_up

_DIGITS = "零一二三四五六七八九"

OPTION_NAMES = {
    "yes": "赞成",
    "no": "反对",
    "abstain": "弃权",
    "satisfied": "满意",
    "basically_satisfied": "基本满意",
    "unsatisfied": "不满意",
    "unknown": "不了解",
}

OUTCOME_NAMES = {
    "selected": "确定",
    "not_selected": "名次在后，未确定",
    "failed": "未获通过",
    "tie": "得票相等，再次投票",
    "passed": "通过",
    "satisfactory": "满意",
    "rereport_required": "须再办理、再报告",
    "no_valid_votes": "无有效票",
}


def chinese_number(number: int) -> str:
    """Counts below 1000 as Chinese numerals (三分之二, 一百二十分之七十一); larger ones
    stay in digits, which is how printed rules write them."""
    if number < 10:
        return _DIGITS[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return ("" if tens == 1 else _DIGITS[tens]) + "十" + ("" if ones == 0 else _DIGITS[ones])
    if number < 1000:
        hundreds, rest = divmod(number, 100)
        head = _DIGITS[hundreds] + "百"
        if rest == 0:
            return head
        if rest < 10:
            return head + "零" + _DIGITS[rest]
        return head + ("一" if rest < 20 else "") + chinese_number(rest)
    return str(number)


def share_words(share: Fraction) -> str:
    """1/2 → 半数, 2/3 → 三分之二, 1 → 全数."""
    if share == Fraction(1, 2):
        return "半数"
    if share == 1:
        return "全数"
    if share == 0:
        return "零"
    if share.denominator == 100:
        return f"百分之{chinese_number(share.numerator)}"
    return f"{chinese_number(share.denominator)}分之{chinese_number(share.numerator)}"


def share_as_percent_or_words(share: Fraction) -> str:
    """Satisfaction bars are quoted as percentages when they are whole (80%);
    otherwise the exact words, so the printed rule never rounds the real one."""
    percent = share * 100
    if percent.denominator == 1:
        return f"{percent.numerator}%"
    return share_words(share)


def option_name(option: str) -> str:
    return OPTION_NAMES.get(option, option)


def number_words(value: Fraction) -> str:
    """A weight or a score as a reader expects it: 60, 62.5, 86.67 (display only)."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    return rounded_half_up(value, 2).rstrip("0").rstrip(".")
