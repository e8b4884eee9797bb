"""Exact numbers in and out: rules and results never pass through floating point.

Rule files are JSON, and JSON numbers with a decimal point turn into floats when
parsed, so fractions travel as "p/q" strings (or plain integers) and are parsed here.
"""
import re
from fractions import Fraction

from voting.rules.errors import RuleError

_RATIONAL_TEXT = re.compile(r"^\s*(\d+)\s*(?:/\s*(\d+)\s*)?$")
MAX_DIGITS = 18  # a share, a weight or a score never needs more; a 5,000-digit number is refused


def parse_rational(value, what: str) -> Fraction:
    """Read a non-negative integer or a "p/q" string; refuse floats and booleans,
    because a float has already lost the exact value the rule meant."""
    if isinstance(value, Fraction):
        number = value
    elif isinstance(value, int) and not isinstance(value, bool):
        if abs(value) >= 10 ** MAX_DIGITS:
            raise RuleError(f"{what}过大（最多 {MAX_DIGITS} 位数字）")
        number = Fraction(value)
    elif isinstance(value, str):
        number = _parse_rational_text(value, what)
    else:
        raise RuleError(f"{what}必须写成整数或“分子/分母”形式的字符串，不能是 {value!r}")
    if number < 0:
        raise RuleError(f"{what}不能为负数：{value!r}")
    return number


def _parse_rational_text(text: str, what: str) -> Fraction:
    match = _RATIONAL_TEXT.match(text)
    if not match:
        raise RuleError(f"{what}应写成“分子/分母”，例如“2/3”，收到的是“{text}”")
    numerator, denominator = match.group(1), match.group(2)
    if len(numerator) > MAX_DIGITS or len(denominator or "") > MAX_DIGITS:
        raise RuleError(f"{what}的分子或分母过长（最多 {MAX_DIGITS} 位数字）")
    if denominator is not None and int(denominator) == 0:
        raise RuleError(f"{what}的分母不能为零：“{text}”")
    return Fraction(int(numerator), int(denominator or 1))


def parse_share(value, what: str) -> Fraction:
    """A share of a whole (threshold, quorum) must lie between 0 and 1 inclusive."""
    share = parse_rational(value, what)
    if share > 1:
        raise RuleError(f"{what}必须在0到1之间，收到的是“{fraction_text(share)}”")
    return share


def fraction_text(value: Fraction) -> str:
    """"p/q", or just "p" when the value is whole: the form rules-cases.json uses."""
    return str(Fraction(value))


def json_number(value: Fraction):
    """An integer stays a JSON integer (as in the bands of a rule file); anything
    else becomes a "p/q" string so it survives a round trip exactly."""
    value = Fraction(value)
    return value.numerator if value.denominator == 1 else fraction_text(value)


def rounded_half_up(value: Fraction, places: int = 2) -> str:
    """Decimal text of a non-negative value with `places` ≥ 1 decimals, for display
    only, rounded half-up as the tally sheet demands (the rules never round)."""
    scale = 10 ** places
    scaled = Fraction(value) * scale
    whole = (scaled.numerator * 2 + scaled.denominator) // (2 * scaled.denominator)
    integer_part, fraction_part = divmod(whole, scale)
    return f"{integer_part}.{fraction_part:0{places}d}"


def ratio(part: int, whole: int) -> Fraction:
    """part / whole exactly (whole > 0): a share to draw or to print as a percentage."""
    return Fraction(part, whole)


def stored_fraction(text) -> Fraction:
    """A fraction as a signed sheet or a row stores it ("3/5", "0.8", 2): read back exactly."""
    return Fraction(text)


def percent_text(value: Fraction) -> str:
    """A rate as a percentage with two decimals, half-up: 159/200 → "79.50%"."""
    return rounded_half_up(Fraction(value) * 100, 2) + "%"
