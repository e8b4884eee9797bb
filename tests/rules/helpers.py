"""A short way to tally with the meeting figures most rules tests do not care about."""
from voting.rules import rule_from_json, tally


def count(kind, counts, *, rule=None, total=200, issued=None, cast=None, invalid=0, seats=None, options=None):
    """Tally with everyone present and voting unless a test says otherwise."""
    issued = total if issued is None else issued
    cast = issued if cast is None else cast
    if not hasattr(rule, "to_json"):
        rule = rule_from_json(kind, rule)
    return tally(kind, rule, counts=counts, total=total, issued=issued, cast=cast,
                 invalid=invalid, seats=seats, options=options)


def outcomes(result) -> dict:
    return {key: item.outcome for key, item in result.items.items()}
