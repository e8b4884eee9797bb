"""The reduced congress benchmark inside `make test`: the real server (gunicorn, as
`make serve` runs it) on this pass's database, 100 deputies holding live streams and
casting at once, then one kill -9 in the middle of a burst. Correctness only: no
timing is asserted (the full figures are `make bench`, see BENCHMARKS.md)."""
import asyncio
import os

import pytest

from tests.conftest import backend

N = 100


def _postgres_reachable() -> bool:
    import sqlalchemy as sa

    from bench.server import postgres_base_url

    engine = sa.create_engine(postgres_base_url())
    try:
        with engine.connect():
            return True
    except sa.exc.OperationalError:
        return False
    finally:
        engine.dispose()


def server_database() -> str:
    """This pass's database kind for a run of the real server. PostgreSQL must answer in
    CI (VOTING_REQUIRE_POSTGRES=1, set by .ci/run: a failure there); elsewhere a machine
    without it skips."""
    kind = backend()
    if kind == "postgres" and not _postgres_reachable():
        if os.environ.get("VOTING_REQUIRE_POSTGRES") == "1":
            pytest.fail("PostgreSQL is required but not reachable")
        pytest.skip("PostgreSQL not reachable")
    return kind


@pytest.mark.slow
def test_hundred_deputies_and_one_crash():
    kind = server_database()
    from bench.scenarios import smoke_run

    out = asyncio.run(smoke_run(kind, N))

    assert out["streams"]["streams_open"] == N
    assert out["accepted"] == N, out["statuses"]
    check = out["check"]
    assert check["tally_cast"] == N and check["participation"] == N
    assert check["counts_match_plans"], "the tally's counts differ from the ballots the deputies sent"
    assert out["receipts_match"], "every 201 receipt appears exactly once among the published receipts"
    assert out["streams_showing_final_count"] == N, "every live stream shows the final progress"

    crash = out["crash"]
    assert crash["killed_pids"] >= 2, crash  # master and workers
    assert crash["created_201"] + crash["replayed_200"] == N and not crash["other"], crash
    assert crash["tally_cast"] == N and crash["participation"] == N, crash
    assert crash["receipts_exactly_once"] and crash["ok"], crash
    assert out["flask_verify"], "flask verify found a mismatch"
