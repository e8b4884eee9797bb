"""At most MAX_ACTIVE_REQUESTS requests run at once in one process; the others wait
for their turn, asleep.

A gthread worker has a thread for every open connection, and a hall keeps hundreds
of them (every tablet's live stream, and every tablet's vote when the secretariat
says "请投票"). If all of them ran their Python at once they would fight for the one
interpreter lock and, on SQLite, for the one write lock: each request then costs
several times its own CPU and the last of a burst waits longest. Letting a few run
and keeping the rest asleep in a queue serves the same burst faster, in arrival order.

Only the view runs inside a slot, and a view about to sleep until other requests
have done its work may give its slot up early (`step_aside`: a cast waiting for the
commit of the batch it is in, voting.ballots.groupcommit). A live stream's view (checks and its first
snapshot) takes one briefly; the minute of streaming that follows runs outside, so
streams never hold slots. A request that waited WAIT_SECONDS without a slot gets
503 with Retry-After, and stores nothing: a tablet retries its vote with the same
Idempotency-Key.
"""
import html
import json
import threading

from voting.api.errors import DEFAULT_CODES
from voting.web import ERROR_TEXT

DEFAULT_LIMIT = 4
DEFAULT_WAIT_SECONDS = 30.0
# The same words as every other 503 of the app (the API's errors, the error page),
# written out here because the answer is made outside Flask, before any request context.
BUSY_CODE, BUSY_MESSAGE = DEFAULT_CODES[503]


class Admission:
    """WSGI middleware: a bounded number of requests inside `wsgi_app` at once."""

    def __init__(self, wsgi_app, limit: int = DEFAULT_LIMIT, wait_seconds: float = DEFAULT_WAIT_SECONDS):
        self.wsgi_app = wsgi_app
        self.limit = limit
        self.wait_seconds = wait_seconds
        self._slots = threading.BoundedSemaphore(limit) if limit > 0 else None
        self.refused = 0  # requests answered 503 for want of a slot (diagnostics)

    def __call__(self, environ, start_response):
        if self._slots is None:
            return self.wsgi_app(environ, start_response)
        if not self._slots.acquire(timeout=self.wait_seconds):
            self.refused += 1
            return busy(environ, start_response)
        slot = environ[SLOT_KEY] = Slot(self._slots)
        try:
            # The view runs (and a non-streamed body is built) before this returns.
            return self.wsgi_app(environ, start_response)
        finally:
            slot.release()


class Slot:
    """A request's place among the running ones, given back once: when the request
    ends, or earlier by `step_aside`."""

    def __init__(self, slots: threading.BoundedSemaphore):
        self._slots = slots

    def release(self) -> None:
        slots, self._slots = self._slots, None
        if slots is not None:
            slots.release()


SLOT_KEY = "voting.admission.slot"


def step_aside() -> None:
    """Give this request's slot to a waiting request: for a view about to sleep until
    other requests have done something for it (a cast waiting for its batch's commit,
    voting.ballots.groupcommit), and whose Python after that is only its answer. Outside
    a request, or with no limit, nothing happens."""
    from flask import has_request_context, request

    if has_request_context():
        slot = request.environ.get(SLOT_KEY)
        if slot is not None:
            slot.release()


def busy(environ, start_response):
    """503 in the API's error shape for /api/, a short Chinese page elsewhere."""
    if environ.get("PATH_INFO", "").startswith("/api/"):
        body = json.dumps({"error": {"code": BUSY_CODE, "message": BUSY_MESSAGE}}, ensure_ascii=False)
        content_type = "application/json"
    else:
        title, message = (html.escape(text) for text in ERROR_TEXT[503])
        body = (f"<!doctype html><html lang=\"zh-CN\"><meta charset=\"utf-8\"><title>{title}</title>"
                f"<h1>{title}</h1><p style=\"font-size:20px\">{message}</p></html>")
        content_type = "text/html; charset=utf-8"
    data = body.encode("utf-8")
    start_response("503 SERVICE UNAVAILABLE", [("Content-Type", content_type), ("Content-Length", str(len(data))),
                                               ("Retry-After", "1"), ("Cache-Control", "no-store")])
    return [data]


def install(app) -> None:
    """Wrap the app's WSGI callable (MAX_ACTIVE_REQUESTS, 0 = no limit). A setting
    that is not a whole number stops the start with a message naming it."""
    try:
        limit = int(app.config.get("MAX_ACTIVE_REQUESTS", DEFAULT_LIMIT))
        wait_seconds = float(app.config.get("ADMISSION_WAIT_SECONDS", DEFAULT_WAIT_SECONDS))
    except (TypeError, ValueError):
        raise ValueError("MAX_ACTIVE_REQUESTS 必须是整数（0 表示不限），ADMISSION_WAIT_SECONDS 必须是秒数 / "
                         "MAX_ACTIVE_REQUESTS must be a whole number (0: no limit), "
                         "ADMISSION_WAIT_SECONDS a number of seconds") from None
    app.wsgi_app = Admission(app.wsgi_app, limit, wait_seconds)
