import pytest


@pytest.fixture(autouse=True)
def _fresh_request_globals(fresh_request_globals):
    """Each request of the live tests sees a fresh `flask.g` (tests/conftest.py)."""
