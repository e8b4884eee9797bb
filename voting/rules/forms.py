"""The rule JSON of `rule_from_json`, from the fields a person fills in. The ballot
editor and the campaign form name their fields differently and read them themselves;
what the fields mean is decided here, once. Nothing is validated here beyond shape:
`rule_from_json` refuses what is wrong, with its message."""
from voting.rules.model import GRADED, RATE, WEIGHTED

TRUE_WORDS = ("1", "on", "true", True)


def _number_or_text(value):
    """A typed whole number as an int, anything else as typed (the rule refuses it)."""
    text = str(value).strip()
    return int(text) if text.isascii() and text.isdigit() and len(text) <= 18 else text


def threshold_fields(fraction=None, inclusive=None, base=None) -> dict | None:
    """{"fraction", "inclusive", "base"} from what was filled in; None when nothing was."""
    threshold = {}
    fraction = (fraction or "").strip().replace("／", "/")
    if fraction:
        threshold["fraction"] = fraction
    if inclusive is not None and inclusive != "":
        threshold["inclusive"] = inclusive in TRUE_WORDS
    base = (base or "").strip()
    if base:
        threshold["base"] = base
    return threshold or None


def graded_threshold(fraction) -> dict | None:
    """A standing committee's verdict (graded mode) is against its whole membership;
    only the share varies, and the line itself is not enough (> share)."""
    fraction = (fraction or "").strip()
    return {"fraction": fraction, "inclusive": False, "base": "all"} if fraction else None


def weighted_rule(weights: dict, bands: list | None, below=None) -> dict:
    """{"mode": "weighted", ...} from option → weight and [(minimum, label)] as typed;
    `bands` None leaves the rule's default bands, [] asks for none."""
    rule = {"mode": WEIGHTED}
    if weights:
        rule["weights"] = {option: _number_or_text(value) for option, value in weights.items()}
    if bands is not None:
        rule["bands"] = [[_number_or_text(minimum), str(label).strip()] for minimum, label in bands]
    below = (below or "").strip()
    if below:
        rule["below"] = below
    return rule


def appraisal_rule(mode, threshold: dict | None) -> dict:
    """{"mode": rate|graded, "threshold"?}."""
    rule = {"mode": mode or RATE}
    if threshold:
        rule["threshold"] = threshold
    return rule


__all__ = ["GRADED", "RATE", "WEIGHTED", "appraisal_rule", "graded_threshold", "threshold_fields", "weighted_rule"]
