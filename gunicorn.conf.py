"""gunicorn settings for `make serve`. Access logs carry method, path and status,
never a request body, so a vote's choices never reach a log; a deputy's card URL
(/card/<secret>) is logged as /card/… so that the log never holds a card."""
import os
import sys

from gunicorn.glogging import Logger

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from voting.logredact import redact  # noqa: E402


class RedactingLogger(Logger):
    """The access log with card secrets masked in every field (path, request line, referer)."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact(value) if isinstance(value, str) else value for key, value in atoms.items()}


logger_class = RedactingLogger

workers = int(os.environ.get("WORKERS", "4"))
worker_class = os.environ.get("WORKER_CLASS", "gthread")
# Each open live stream (a tablet's or screen's EventSource, GET /api/v1/meetings/<mid>/events)
# holds one thread for up to a minute; gthread starts threads only as they are needed, so a
# high ceiling costs nothing when idle: 4 × 200 = 800 serves 650 tablets (README, "实时更新").
threads = int(os.environ.get("THREADS", "200"))
# gthread: open connections per worker (idle keep-alive ones included). Every tablet holds one
# live-update stream open, and a stream occupies a thread while it lasts: for a hall of N
# tablets set THREADS so that WORKERS x THREADS > N (see BENCHMARKS.md).
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "1000"))
backlog = int(os.environ.get("BACKLOG", "2048"))
timeout = 60
graceful_timeout = 20
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG", "-")
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms'

# The proofs of encrypted casts (a meeting with tellers, issue #17) are checked outside
# the cast request by checker processes at the lowest CPU priority (nice 19, SCHED_BATCH),
# one per core by default (CHECKERS), so a hall's casts are answered at once and the checks
# use what the requests leave (voting/tellers/checking.py). CAST_CHECK=inline checks in the request.
# raw_env is set in gunicorn's master, so its workers and checkers inherit it; reading this
# file (a test does) changes nothing in the reader's own environment.
_cast_check = os.environ.get("CAST_CHECK", "queued")
raw_env = [f"CAST_CHECK={_cast_check}"]
_checkers = []


def _low_priority():
    """In the checker, before it starts: nice 19 and Linux's SCHED_BATCH (a CPU-bound job
    that never preempts a woken worker), so the checks use what CPU the requests leave.
    Not SCHED_IDLE: a checker holds SQLite's write lock for the few milliseconds of marking
    its casts, and one starved there would stall every cast behind it."""
    os.nice(19)
    try:
        os.sched_setscheduler(0, os.SCHED_BATCH, os.sched_param(0))
    except (AttributeError, OSError):
        pass


def when_ready(server):
    if _cast_check != "queued":
        return
    import subprocess

    parts = int(os.environ.get("CHECKERS") or os.cpu_count() or 1)
    here = os.path.dirname(os.path.abspath(__file__))
    for part in range(parts):
        _checkers.append(subprocess.Popen(
            [sys.executable, "-m", "flask", "--app", "voting", "check-casts", "--follow",
             f"--part={part}", f"--parts={parts}"], cwd=here, preexec_fn=_low_priority))
    server.log.info("started %d cast checker process(es)", parts)


def on_exit(server):
    for checker in _checkers:
        checker.terminate()
    for checker in _checkers:
        checker.wait(timeout=20)
