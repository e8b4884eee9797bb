"""Schemathesis against /api/v1/openapi.json with a token of each role: no 5xx, and every
response (status, content type, body) matches the document."""
import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (content_type_conformance, not_a_server_error, response_schema_conformance,
                                 status_code_conformance)

from tests.ballots.sitting import Sitting

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def world(app, api, staff):
    """A meeting with deputies and an open ballot, and a token per role."""
    sitting = Sitting(api, staff, size=4)
    sitting.check_in(range(4))
    ballot = sitting.ballot(items=3, seats=2)
    sitting.act(ballot["id"], "open")
    tokens = {role: api.token(staff[role].username) for role in ("secretariat", "teller", "leader", "admin",
                                                                  "station", "department")}
    tokens["deputy"] = sitting.token(0)
    tokens["anonymous"] = None
    real = {"mid": sitting.mid, "bid": ballot["id"], "did": sitting.deputies[1]["id"]}
    return {"tokens": tokens, "real": real}


# Operations that end the tokens or the meeting used by every other operation run last.
LAST = ("/auth/revoke", "/meetings/{mid}/close")


def _exercise(operation, tokens, real):
    @given(case=operation.as_strategy())
    @settings(max_examples=5, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(case):
        generated = dict(case.path_parameters or {})
        # Each example runs with the generated ids and again with ids of real records.
        variants = [generated]
        if generated and all(name in real for name in generated):
            variants.append({name: real[name] for name in generated})
        for path_parameters in variants:
            case.path_parameters = path_parameters
            for role, token in tokens.items():
                headers = {"Authorization": f"Bearer {token}"} if token else {}
                if case.method.upper() == "POST" and case.path.endswith("/votes"):
                    headers["Idempotency-Key"] = f"fuzz-{role}"
                case.call_and_validate(headers=headers, checks=CHECKS)

    run()


def test_api_conforms_for_every_role(make_app, world):
    from tests.ballots.sitting import release_database

    release_database()
    # Same database; live-update streams end at once instead of after a minute.
    fuzz_app = make_app(LIVE_STREAM_SECONDS=0.0)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.path in LAST)
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, world["tokens"], world["real"])
