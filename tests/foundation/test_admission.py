"""At most MAX_ACTIVE_REQUESTS requests run at once per process; the rest wait asleep,
and one that waits too long gets 503 with Retry-After (voting/admission.py)."""
import json
import threading

import pytest

from tests.ballots.sitting import Sitting, release_database
from voting.admission import Admission
from voting.extensions import db
from voting.live import screen
from voting.meetings.models import Meeting


class Held:
    """A WSGI app whose requests stay inside until released."""

    def __init__(self):
        self.inside = threading.Semaphore(0)
        self.release = threading.Event()
        self.running = 0
        self.most = 0
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        with self._lock:
            self.running += 1
            self.most = max(self.most, self.running)
        self.inside.release()
        self.release.wait(30)
        with self._lock:
            self.running -= 1
        start_response("200 OK", [("Content-Type", "text/plain")])
        return [b"ok"]


class CountedSlots(threading.BoundedSemaphore):
    """The gate's slots, telling the test each time a request found none free and
    had to wait: so the test knows the others are queued, without waiting a while."""

    def __init__(self, value):
        super().__init__(value)
        self.queued = threading.Semaphore(0)

    def acquire(self, blocking=True, timeout=None):
        if super().acquire(blocking=False):
            return True
        self.queued.release()
        return super().acquire(blocking, timeout)


def _call(gate, path):
    answer = {}

    def start_response(status, headers):
        answer["status"], answer["headers"] = status, dict(headers)

    answer["body"] = b"".join(gate({"PATH_INFO": path, "REQUEST_METHOD": "POST"}, start_response))
    return answer


def test_no_more_than_the_limit_run_at_once_and_the_others_wait_their_turn():
    held = Held()
    gate = Admission(held, limit=2, wait_seconds=30)
    gate._slots = slots = CountedSlots(2)
    answers = []
    threads = [threading.Thread(target=lambda: answers.append(_call(gate, "/api/v1/ballots/1/votes")))
               for _ in range(5)]
    for thread in threads:
        thread.start()
    assert held.inside.acquire(timeout=10) and held.inside.acquire(timeout=10)
    for _ in range(3):
        assert slots.queued.acquire(timeout=10)  # each of the other three found no slot
    # No slot is freed before `release`: the three are kept out while two are inside.
    assert held.running == 2 and not held.inside.acquire(blocking=False)
    held.release.set()
    for thread in threads:
        thread.join(30)
    assert held.most == 2
    assert [a["status"] for a in answers] == ["200 OK"] * 5


def test_a_request_that_finds_no_slot_in_time_gets_503_in_the_api_shape_and_a_page_elsewhere():
    held = Held()
    gate = Admission(held, limit=1, wait_seconds=0.05)
    inside = threading.Thread(target=_call, args=(gate, "/api/v1/ballots/1/votes"))
    inside.start()
    try:
        assert held.inside.acquire(timeout=10)
        api = _call(gate, "/api/v1/ballots/1/votes")
        assert api["status"].startswith("503")
        assert api["headers"]["Retry-After"] == "1"
        error = json.loads(api["body"])["error"]
        assert error["code"] == "service_unavailable" and "重试" in error["message"]
        page = _call(gate, "/ballots/1")
        assert page["status"].startswith("503") and page["headers"]["Content-Type"].startswith("text/html")
        assert "服务器暂时繁忙" in page["body"].decode("utf-8")
        assert gate.refused == 2 and held.running == 1  # neither reached the app
    finally:
        held.release.set()
        inside.join(30)
    held.release.clear()
    held.release.set()
    assert _call(gate, "/api/v1/ballots/1/votes")["status"] == "200 OK"  # the slot came back


def test_zero_means_no_limit():
    held = Held()
    gate = Admission(held, limit=0)
    threads = [threading.Thread(target=_call, args=(gate, "/healthz")) for _ in range(3)]
    for thread in threads:
        thread.start()
    for _ in threads:
        assert held.inside.acquire(timeout=10)
    assert held.running == 3
    held.release.set()
    for thread in threads:
        thread.join(30)


def test_an_open_live_stream_holds_no_slot(make_app, api, staff):
    """With one slot per process, a tablet's minute-long stream must not keep its
    neighbour's vote out: only the stream's first checks run inside the slot."""
    s = Sitting(api, staff, size=1)
    meeting = db.session.get(Meeting, int(s.mid))
    token = screen.rotate_screen_token(meeting)
    release_database()
    one_slot = make_app(MAX_ACTIVE_REQUESTS=1, ADMISSION_WAIT_SECONDS=0.2, LIVE_STREAM_SECONDS=120)
    client = one_slot.test_client()
    response = client.get(f"/api/v1/meetings/{s.mid}/events?screen={token}", buffered=False)
    chunks = iter(response.response)
    try:
        assert next(chunks).decode().startswith("retry:")
        assert "data: " in next(chunks).decode()
        assert client.get("/healthz").status_code == 200
        assert client.get(f"/api/v1/meetings/{s.mid}/live?screen={token}").status_code == 200
    finally:
        response.close()
    assert one_slot.wsgi_app.refused == 0


def test_the_setting_comes_from_the_environment_and_a_bad_one_is_named(base_config):
    from voting import create_app
    from voting.config import from_environment

    assert from_environment({"MAX_ACTIVE_REQUESTS": "2"}) == {"MAX_ACTIVE_REQUESTS": "2"}
    assert create_app({**base_config, "MAX_ACTIVE_REQUESTS": "2"}).wsgi_app.limit == 2
    with pytest.raises(ValueError, match="MAX_ACTIVE_REQUESTS"):
        create_app({**base_config, "MAX_ACTIVE_REQUESTS": "四个"})


def test_a_request_that_steps_aside_lets_the_next_in_and_gives_its_slot_back_once():
    """A cast waiting for its batch's commit (voting.ballots.groupcommit) gives its slot
    up: with one slot, the next request runs meanwhile; the slot is not given back twice."""
    from flask import Flask, request

    from voting.admission import SLOT_KEY, step_aside

    app = Flask(__name__)
    stepped, finish = threading.Event(), threading.Event()

    @app.post("/waits")
    def waits():
        step_aside()
        step_aside()  # a second call gives nothing back
        stepped.set()
        assert finish.wait(30)
        return "waited"

    @app.get("/next")
    def next_request():
        return "next"

    gate = Admission(app.wsgi_app, limit=1, wait_seconds=0.2)
    app.wsgi_app = gate
    answers = {}
    waiting = threading.Thread(target=lambda: answers.update(waits=app.test_client().post("/waits")))
    waiting.start()
    try:
        assert stepped.wait(10)
        following = app.test_client().get("/next")  # no slot free within 0.2 s would be 503
        assert following.status_code == 200 and following.get_data(as_text=True) == "next"
    finally:
        finish.set()
        waiting.join(30)
    assert answers["waits"].status_code == 200 and gate.refused == 0
    # Exactly one slot again: one request may hold it, a second finds none.
    assert gate._slots.acquire(blocking=False) and not gate._slots.acquire(blocking=False)
    gate._slots.release()
    with app.test_request_context("/waits"):
        step_aside()  # a request that never passed the gate (no slot in its environ): nothing happens
        assert SLOT_KEY not in request.environ
