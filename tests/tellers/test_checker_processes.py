"""The checker processes gunicorn starts (gunicorn.conf.py, CAST_CHECK=queued): the real
server as `make serve` runs it, a 2-of-3 tellers' key made by three devices over HTTP,
encrypted casts at once and then spread over a second; every cast's proofs are checked
by the checkers before close (the run waits on GET /checks, and gives up after two
minutes), counted exactly. Correctness only: the figures are `make bench`."""
import asyncio
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.bench.test_bench_smoke import server_database


@pytest.mark.slow
def test_gunicorn_starts_checkers_that_check_every_cast_before_close():
    from bench.tellers_hall import tellers_hall_run

    kind = server_database()
    # in a thread of its own: a browser test earlier in the run may leave an event loop in this one
    with ThreadPoolExecutor(max_workers=1) as pool:
        figures, _targets = pool.submit(asyncio.run, tellers_hall_run(
            kind, 24, workers=2, paced_window=1.0, checks_deadline_s=120)).result()
    for run in ("at_once", "paced"):
        checks = figures[run]["checks"]
        assert checks["mode"] == "queued", checks
        assert checks["pending_left"] == 0 and checks["valid"] == 24 and checks["failed"] == 0, checks
        assert figures[run]["accepted"] == 24, figures[run]
        assert figures[run]["check"]["tally_matches_accepted"] and figures[run]["check"]["counts_match_plans"]
