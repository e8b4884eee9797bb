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
