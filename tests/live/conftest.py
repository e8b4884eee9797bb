import pytest

from tests.ballots.sitting import forget_principal_between_requests


@pytest.fixture(autouse=True)
def _fresh_principal(app):
    forget_principal_between_requests(app)
