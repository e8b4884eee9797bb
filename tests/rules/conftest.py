"""Fixtures for the rules tests: where the shared worked cases live."""
import os
from pathlib import Path

import pytest


# A copy of shared/rules-cases.json kept in the repo, for a checkout without shared/
# beside it; test_rules_cases_file checks that it equals the shared file whenever both exist.
VENDORED_CASES = Path(__file__).resolve().parent / "rules-cases.json"


def shared_cases_path() -> Path | None:
    """shared/ beside the checkout, or VOTING_SHARED_DIR; None when neither has the file."""
    candidates = [Path(__file__).resolve().parents[3] / "shared" / "rules-cases.json"]
    if os.environ.get("VOTING_SHARED_DIR"):
        candidates.append(Path(os.environ["VOTING_SHARED_DIR"]) / "rules-cases.json")
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture
def cases_path() -> Path:
    """A missing cases file fails rather than skips: unchecked rules are not passing."""
    path = shared_cases_path() or VENDORED_CASES
    if not path.is_file():
        pytest.fail("rules-cases.json not found beside the checkout nor in tests/rules; set VOTING_SHARED_DIR")
    return path
