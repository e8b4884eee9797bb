"""Shared helpers for the rules tests: where the worked cases live, and a short
way to tally with the meeting figures most tests do not care about."""
import os
from pathlib import Path

import pytest

from voting.rules import rule_from_json, tally


def shared_cases_path() -> Path | None:
    """shared/ sits beside the checkout; VOTING_SHARED_DIR points elsewhere."""
    candidates = [Path(__file__).resolve().parents[3] / "shared" / "rules-cases.json"]
    if os.environ.get("VOTING_SHARED_DIR"):
        candidates.insert(0, Path(os.environ["VOTING_SHARED_DIR"]) / "rules-cases.json")
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture
def cases_path() -> Path:
    path = shared_cases_path()
    if path is None:
        pytest.skip("shared/rules-cases.json not found (set VOTING_SHARED_DIR)")
    return path


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
