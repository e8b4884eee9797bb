"""Schemathesis against /api/v1/openapi.json with a token of each role: no 5xx, and every
response (status, content type, body) matches the document. Then the negative pass
(issue #19): data that breaks the document on purpose (wrong types, missing fields,
bad path and query values), more examples per operation, every role; and random raw
bodies on every operation that takes one. Whatever comes, no 5xx, and every refusal
is the API's error shape with a Chinese message."""
import json

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
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


def _exercise(operation, tokens, real, mode=GenerationMode.POSITIVE, examples=5, checks=CHECKS):
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=examples, deadline=None, derandomize=True, database=None,
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
                response = case.call_and_validate(headers=headers, checks=checks)
                _refused_in_chinese(response)

    run()


def _refused_in_chinese(response) -> None:
    """A 4xx from the API is {"error": {"code", "message"}} with a Chinese message."""
    if not 400 <= response.status_code < 500 or "json" not in response.headers.get("Content-Type", [""])[0]:
        return
    error = response.json()["error"]
    assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error


def test_api_conforms_for_every_role(make_app, world):
    _, operations = _operations(make_app)
    assert len(operations) >= 20
    for operation in operations:
        _exercise(operation, world["tokens"], world["real"])


def _operations(make_app):
    """The app on the world's database (live-update streams end at once instead of after a
    minute) and its operations, those that end tokens or the meeting last."""
    from tests.ballots.sitting import release_database

    release_database()
    fuzz_app = make_app(LIVE_STREAM_SECONDS=0.0)
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzz_app)
    operations = sorted((result.ok() for result in schema.get_all_operations()), key=lambda op: op.path in LAST)
    return fuzz_app, operations


def test_api_refuses_non_conforming_data_for_every_role(make_app, world):
    _, operations = _operations(make_app)
    exercised = []
    for operation in operations:
        try:
            _exercise(operation, world["tokens"], world["real"], mode=GenerationMode.NEGATIVE, examples=12,
                      checks=[not_a_server_error])
        except Unsatisfiable:
            continue  # nothing in the document can be broken: no body, no constrained parameter
        exercised.append(operation.path)
    assert len(exercised) >= 15, exercised


RAW_BODIES = st.one_of(st.binary(max_size=300), st.text(max_size=300).map(lambda text: text.encode("utf-8", "surrogatepass")),
                       st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                                    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                                    max_leaves=20).map(lambda value: json.dumps(value).encode("utf-8")))
CONTENT_TYPES = ["application/json", "text/csv", "application/x-www-form-urlencoded", "text/plain; charset=gbk", ""]


def test_random_raw_bodies_on_every_operation_are_never_a_5xx(make_app, world):
    fuzz_app, operations = _operations(make_app)
    client = fuzz_app.test_client()
    real = world["real"]
    writes = [op for op in operations if op.method.upper() in ("POST", "PUT", "PATCH")]
    assert writes

    @given(raw=RAW_BODIES, content_type=st.sampled_from(CONTENT_TYPES), role=st.sampled_from(sorted(world["tokens"])),
           index=st.integers(0, len(writes) - 1))
    @settings(max_examples=300, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    def run(raw, content_type, role, index):
        operation = writes[index]
        path = "/api/v1" + operation.path.format(**real)
        headers = {"Authorization": f"Bearer {world['tokens'][role]}"} if world["tokens"][role] else {}
        if content_type:
            headers["Content-Type"] = content_type
        if path.endswith("/votes"):
            headers["Idempotency-Key"] = f"raw-{role}-{index}"
        response = client.open(path, method=operation.method.upper(), data=raw, headers=headers)
        assert response.status_code < 500, (path, raw[:80], response.get_data(as_text=True)[:200])
        if response.status_code >= 400 and response.is_json:
            error = response.get_json()["error"]
            assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error

    run()
