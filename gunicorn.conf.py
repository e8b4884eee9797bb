"""gunicorn settings for `make serve`. Access logs carry method, path and status,
never a request body, so a vote's choices never reach a log."""
import os

workers = int(os.environ.get("WORKERS", "4"))
worker_class = os.environ.get("WORKER_CLASS", "gthread")
threads = int(os.environ.get("THREADS", "8"))
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
