"""Fixtures for the rules tests: where the shared worked cases live."""
import os
from pathlib import Path

import pytest


def shared_cases_path() -> Path | None:
    """shared/ sits beside the checkout; VOTING_SHARED_DIR is the fallback."""
    candidates = [Path(__file__).resolve().parents[3] / "shared" / "rules-cases.json"]
    if os.environ.get("VOTING_SHARED_DIR"):
        candidates.append(Path(os.environ["VOTING_SHARED_DIR"]) / "rules-cases.json")
    return next((path for path in candidates if path.is_file()), None)


@pytest.fixture
def cases_path() -> Path:
    """A missing cases file fails rather than skips: unchecked rules are not passing."""
    path = shared_cases_path()
    if path is None:
        pytest.fail("shared/rules-cases.json not found beside the checkout; set VOTING_SHARED_DIR")
    return path
