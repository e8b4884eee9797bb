"""Through a real nginx over TLS (deploy/nginx.conf): HTTPS with the hall certificate,
the client's address forwarded and trusted only from the proxy, and live events
reaching a tablet unbuffered within a second (issue #18)."""
import http.client
import json
import time
from urllib.parse import urlsplit

from sqlalchemy import select

from tests.ballots.sitting import Sitting, release_database
from tests.deploy.conftest import require_nginx
from voting.accounts.models import AddressThrottle
from voting.extensions import db


def connect(front, context, source: str = "127.0.0.1", timeout: float = 10):
    where = urlsplit(front.url)
    return http.client.HTTPSConnection(where.hostname, where.port, context=context, timeout=timeout,
                                       source_address=(source, 0))


def call(front, context, method, path, body=None, headers=None, source="127.0.0.1"):
    connection = connect(front, context, source)
    payload = json.dumps(body).encode() if body is not None else None
    all_headers = {"Content-Type": "application/json", **(headers or {})} if payload else dict(headers or {})
    connection.request(method, path, body=payload, headers=all_headers)
    response = connection.getresponse()
    data = response.read()
    connection.close()
    return response, data


def test_the_shipped_config_passes_nginx_t(hall_tls):
    require_nginx()
    from deploy.nginx import Nginx

    proxy = Nginx("127.0.0.1:8000", hall_tls.cert, hall_tls.key)
    try:
        checked = proxy.test_config()
    finally:
        proxy.stop()
    assert checked.returncode == 0, checked.stderr
    assert "test is successful" in checked.stderr


def test_https_with_the_hall_certificate_and_hsts(hall_front, tls_context):
    response, data = call(hall_front, tls_context, "GET", "/healthz")
    assert response.status == 200 and json.loads(data) == {"ok": True}
    assert response.getheader("Strict-Transport-Security", "").startswith("max-age=")
    # The login page's session cookie is sent over TLS only.
    response, _ = call(hall_front, tls_context, "GET", "/login")
    assert response.status == 200
    cookie = response.getheader("Set-Cookie", "")
    assert "Secure" in cookie and "HttpOnly" in cookie
    # Plain HTTP is only a redirect to HTTPS.
    where = urlsplit(hall_front.proxy.http_url)
    plain = http.client.HTTPConnection(where.hostname, where.port, timeout=10)
    plain.request("GET", "/tablet")
    redirect = plain.getresponse()
    assert redirect.status == 308
    assert redirect.getheader("Location") == f"https://127.0.0.1:{hall_front.proxy.https_port}/tablet"


def test_the_tablets_address_reaches_the_app_and_a_forged_header_does_not(hall_front, tls_context):
    """Two tablets on different addresses guess cards through the proxy: each is counted
    under its own address, even when it sends an X-Forwarded-For of its own."""
    for n in range(3):
        response, data = call(hall_front, tls_context, "POST", "/api/v1/auth/token",
                              body={"card": f"unknown-card-{n}"}, source="127.0.0.7",
                              headers={"X-Forwarded-For": "10.9.9.9"})
        assert response.status == 401 and json.loads(data)["error"]["code"] == "invalid_card"
    response, _ = call(hall_front, tls_context, "POST", "/api/v1/auth/token", body={"card": "unknown"},
                       source="127.0.0.8")
    assert response.status == 401
    with hall_front.app.app_context():
        rows = {row.address: row.failures for row in db.session.scalars(select(AddressThrottle))}
    assert rows == {"127.0.0.7": 3, "127.0.0.8": 1}


def _read_event(response, deadline: float) -> dict | None:
    """The next `data:` event of an SSE stream, or None when the deadline passes."""
    data = []
    while True:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            return None
        response.fp.raw._sock.settimeout(remaining)
        try:
            line = response.fp.readline()
        except TimeoutError:
            return None
        if not line:
            return None
        line = line.decode().rstrip("\r\n")
        if line.startswith("data: "):
            data.append(line[len("data: "):])
        elif line == "" and data:
            return json.loads("\n".join(data))


def test_live_events_reach_a_tablet_through_the_proxy_within_a_second(hall_front, tls_context, api, staff):
    sitting = Sitting(api, staff, size=3)
    sitting.check_in([0, 1, 2])
    ballot = sitting.ballot(items=2, seats=1)
    release_database()
    response, data = call(hall_front, tls_context, "POST", "/api/v1/auth/token",
                          body={"card": sitting.deputies[0]["card"]})
    assert response.status == 200
    token = json.loads(data)["token"]
    stream_connection = connect(hall_front, tls_context, timeout=10)
    stream_connection.request("GET", f"/api/v1/meetings/{sitting.mid}/events",
                              headers={"Authorization": f"Bearer {token}", "Accept": "text/event-stream"})
    stream = stream_connection.getresponse()
    assert stream.status == 200 and stream.getheader("Content-Type").startswith("text/event-stream")
    first = _read_event(stream, time.monotonic() + 10)
    assert first is not None and first["ballots"] == []  # the snapshot leaves drafts out
    # The secretariat opens the ballot (through the proxy too); the tablet hears it within 1 s.
    response, data = call(hall_front, tls_context, "POST", f"/api/v1/ballots/{ballot['id']}/open",
                          headers={"Authorization": f"Bearer {sitting.secretariat}"})
    assert response.status == 200, data
    opened_at = time.monotonic()
    event = _read_event(stream, opened_at + 1.0)
    while event is not None and not any(b["id"] == ballot["id"] and b["state"] == "open" for b in event["ballots"]):
        event = _read_event(stream, opened_at + 1.0)
    assert event is not None, "the ballot's opening did not reach the tablet through nginx within 1 s"
    stream_connection.close()
