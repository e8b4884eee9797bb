"""The worked-cases runner: evaluate a file shaped like shared/rules-cases.json.

`python -m voting.rules CASES.json` prints PASS/FAIL with a diff per case and exits 1
on any mismatch; `--emit` prints each case's computed result in the shape of its
`expect`, which is how a new case's expectation is drafted and then checked by hand.
"""
import argparse
import json
import sys

from voting.rules.errors import RuleError
from voting.rules.model import APPRAISAL, GRADED, RATE, SELECTION, WEIGHTED, rule_from_json
from voting.rules.results import NO_VALID_VOTES, TallyResult
from voting.rules.tally import tally

# Which item fields each appraisal mode states in a case's `expect`.
EMITTED_ITEM_FIELDS = {
    RATE: ("outcome", "rate"),
    GRADED: ("verdict", "outcome"),
    WEIGHTED: ("score", "grade", "rank"),
}
# A selection's `expect` leaves the runoff out when there is none.
SELECTION_DEFAULTS = {"runoff_items": [], "runoff_seats": 0}


def load_cases(path: str) -> list:
    with open(path, encoding="utf-8") as handle:
        document = json.load(handle)
    if not isinstance(document, dict) or not isinstance(document.get("cases"), list):
        raise RuleError(f"{path} 不是案例文件：缺少 cases 列表")
    return document["cases"]


def evaluate_case(case: dict) -> tuple:
    """The rule a case states and the tally it produces."""
    rule = rule_from_json(case["kind"], case.get("rule"))
    result = tally(
        case["kind"],
        rule,
        counts=case["items"],
        total=case["total"],
        issued=case["present"],
        cast=case["cast"],
        invalid=case.get("invalid", 0),
        seats=case.get("seats"),
        options=case.get("options"),
    )
    return rule, result


def emitted(case: dict) -> dict:
    """The computed result in the shape of the case's `expect`."""
    rule, result = evaluate_case(case)
    shape = {"items": {key: emitted_item(case["kind"], rule, item) for key, item in result.items.items()}}
    if result.void:
        shape["void"] = True
    if case["kind"] == SELECTION:
        shape["seats_unfilled"] = result.seats_unfilled
        if result.runoff_items:
            shape["runoff_items"] = list(result.runoff_items)
            shape["runoff_seats"] = result.runoff_seats
    return shape


def emitted_item(kind: str, rule, item):
    if kind != APPRAISAL:
        return item.outcome
    fields = EMITTED_ITEM_FIELDS[rule.mode]
    if item.outcome == NO_VALID_VOTES:
        fields = ("outcome",)
    full = item.to_json()
    return {name: full[name] for name in fields if full[name] is not None}


def differences(case: dict) -> list:
    """Readable lines for every way the computed result departs from `expect`.
    Only the keys the expectation gives are compared, except that an absent runoff
    in a selection means "no runoff"."""
    _, result = evaluate_case(case)
    expect = dict(case["expect"])
    if case["kind"] == SELECTION:
        expect = {**SELECTION_DEFAULTS, **expect}
    actual = comparable(result)
    lines = []
    for key, wanted in expect.items():
        if key == "items":
            lines += item_differences(wanted, actual["items"])
        elif actual.get(key) != wanted:
            lines.append(mismatch(key, wanted, actual.get(key)))
    return lines


def comparable(result: TallyResult) -> dict:
    """The full result as JSON, items without their empty fields."""
    full = result.to_json()
    full["items"] = {
        key: {name: value for name, value in item.items() if value is not None}
        for key, item in full["items"].items()
    }
    return full


def item_differences(expected_items: dict, actual_items: dict) -> list:
    lines = [f"  items: unexpected item {key!r}" for key in sorted(set(actual_items) - set(expected_items))]
    for key, wanted in expected_items.items():
        got = actual_items.get(key)
        if got is None:
            lines.append(f"  items.{key}: expected {as_json(wanted)}, item missing")
        elif isinstance(wanted, dict):
            lines += [
                mismatch(f"items.{key}.{name}", value, got.get(name))
                for name, value in wanted.items()
                if got.get(name) != value
            ]
        elif got["outcome"] != wanted:
            lines.append(mismatch(f"items.{key}", wanted, got["outcome"]))
    return lines


def mismatch(where: str, wanted, got) -> str:
    return f"  {where}: expected {as_json(wanted)}, got {as_json(got)}"


def as_json(value) -> str:
    return json.dumps(value, ensure_ascii=False)


# What a malformed case raises; reported per case so one bad case hides no others.
CASE_ERRORS = (RuleError, KeyError, TypeError)


def check_cases(cases: list, out) -> int:
    """Print PASS/FAIL per case; return the number of failing cases."""
    failures = 0
    for case in cases:
        try:
            lines = differences(case)
        except CASE_ERRORS as error:
            lines = [f"  error: {error!r}"]
        failures += bool(lines)
        print(f"{'FAIL' if lines else 'PASS'} {case.get('id')}", file=out)
        for line in lines:
            print(line, file=out)
    return failures


def emit_cases(cases: list, out) -> int:
    """Print every computed result; a case that cannot be counted shows its error
    in place of a result and makes the exit status 1."""
    results, failures = {}, 0
    for case in cases:
        try:
            results[case["id"]] = emitted(case)
        except CASE_ERRORS as error:
            results[case.get("id")] = {"error": str(error)}
            failures += 1
    print(json.dumps(results, ensure_ascii=False, indent=1), file=out)
    return failures


def main(argv=None, out=None) -> int:
    out = out or sys.stdout
    parser = argparse.ArgumentParser(prog="python -m voting.rules", description=__doc__.splitlines()[0])
    parser.add_argument("cases", help="a JSON file shaped like shared/rules-cases.json")
    parser.add_argument("--emit", action="store_true", help="print computed results instead of checking")
    arguments = parser.parse_args(argv)
    try:
        cases = load_cases(arguments.cases)
    except (OSError, ValueError) as error:
        print(f"cannot read {arguments.cases}: {error}", file=sys.stderr)
        return 2
    if arguments.emit:
        return 1 if emit_cases(cases, out) else 0
    failures = check_cases(cases, out)
    print(f"{len(cases) - failures} passed, {failures} failed", file=out)
    return 1 if failures else 0
