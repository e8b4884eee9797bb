"""Card login backs off and locks per source address on repeated unknown cards
(GET /card/<secret> and POST /api/v1/auth/token with a card), counted in the database
so that every gunicorn worker sees the same count; valid cards never count and are never
held up, even from a locked address (a hall's tablets share one address)."""
import logging
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.factories import assert_refused
from tests.ballots.sitting import Sitting, release_database
from voting.accounts.models import AddressThrottle, utcnow
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings import services
from voting.errors import Refusal

HALL = "203.0.113.7"  # the address that guesses
OTHER = "198.51.100.20"  # another tablet network


def fake_card(n: int) -> str:
    return f"guessed-card-{n:04d}-ZZqq"


def client_at(app, address):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def throttle_row(address=HALL):
    db.session.expire_all()
    return db.session.execute(select(AddressThrottle).filter_by(scope="card", address=address)).scalar_one_or_none()


def fail(n: int, at, address=HALL):
    assert services.deputy_for_card(fake_card(n), source=address, now=at) is None


@pytest.fixture
def sitting(api, staff):
    return Sitting(api, staff, size=3)


def test_defaults_are_sane_for_a_shared_hall_address(app):
    assert app.config["CARD_LOGIN_SLOWDOWN_AFTER"] >= 10
    assert app.config["CARD_LOGIN_LOCK_AFTER"] >= 3 * app.config["CARD_LOGIN_SLOWDOWN_AFTER"]
    assert app.config["CARD_LOGIN_LOCK_FOR"] == timedelta(minutes=15)


def test_wrong_cards_slow_down_then_lock(app, sitting):
    cfg = app.config
    start = utcnow()
    for n in range(cfg["CARD_LOGIN_SLOWDOWN_AFTER"]):
        fail(n, start + timedelta(milliseconds=n))
    # The next unknown card comes too soon: refused, and not counted again.
    with pytest.raises(Refusal) as refused:
        services.deputy_for_card(fake_card(500), source=HALL, now=start + timedelta(seconds=1))
    assert refused.value.status == 429 and refused.value.code == "rate_limited"
    assert "秒后再试" in refused.value.message
    assert throttle_row().failures == cfg["CARD_LOGIN_SLOWDOWN_AFTER"]
    # A valid card from that address is never held up (a hall shares one address).
    assert services.deputy_for_card(sitting.deputies[0]["card"], source=HALL, now=start + timedelta(seconds=1))
    # The delay grows with each further failure.
    waits, moment = [], start
    for n in range(cfg["CARD_LOGIN_SLOWDOWN_AFTER"], cfg["CARD_LOGIN_SLOWDOWN_AFTER"] + 3):
        moment += timedelta(minutes=2)
        fail(n, moment)
        waits.append(services.card_throttle_wait(HALL, moment))
    assert waits[0] < waits[1] < waits[2]
    # Spaced out, failures go on until the address locks.
    n = cfg["CARD_LOGIN_SLOWDOWN_AFTER"] + 3
    while throttle_row().locked_until is None:
        moment += timedelta(minutes=2)
        fail(n, moment)
        n += 1
    assert n == cfg["CARD_LOGIN_LOCK_AFTER"]
    with pytest.raises(Refusal) as refused:
        services.deputy_for_card(fake_card(501), source=HALL, now=moment + timedelta(minutes=5))
    assert refused.value.status == 429 and "分钟后再试" in refused.value.message
    assert services.deputy_for_card(sitting.deputies[1]["card"], source=HALL, now=moment + timedelta(minutes=5))
    # The lockout is audited, without the card: only the address and the count.
    locks = db.session.scalars(select(AuditEntry).filter_by(action="card_login_locked")).all()
    assert len(locks) == 1 and locks[0].actor == HALL and '"failures": 30' in locks[0].details
    # When the lock ends, a valid card from that address works again and counting starts over.
    after = moment + cfg["CARD_LOGIN_LOCK_FOR"] + timedelta(seconds=1)
    assert services.deputy_for_card(sitting.deputies[0]["card"], source=HALL, now=after) is not None
    fail(999, after)
    assert throttle_row().failures == 1 and throttle_row().locked_until is None


def test_http_refusals_are_429_in_chinese_and_another_address_still_works(app, sitting):
    release_database()
    hall_page, hall_api = client_at(app, HALL), client_at(app, HALL)
    for n in range(app.config["CARD_LOGIN_SLOWDOWN_AFTER"]):
        if n % 2:
            assert hall_page.get(f"/card/{fake_card(n)}").status_code == 404
        else:
            response = hall_api.post("/api/v1/auth/token", json={"card": fake_card(n)})
            assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_card"
    # Both ways in share the count: now the next unknown card from this address must wait,
    response = hall_api.post("/api/v1/auth/token", json={"card": fake_card(900)})
    assert_refused(response, 429, "rate_limited")
    error = response.get_json()["error"]
    assert error["code"] == "rate_limited" and "秒后再试" in error["message"]
    page = hall_page.get(f"/card/{fake_card(901)}")
    assert page.status_code == 429 and "登录卡验证失败次数过多" in page.get_data(as_text=True)
    # while the hall's valid cards go on working.
    assert hall_api.post("/api/v1/auth/token", json={"card": sitting.deputies[0]["card"]}).status_code == 200
    assert hall_page.get(f"/card/{sitting.deputies[1]['card']}").status_code == 302
    # A valid card from another address is not affected.
    other = client_at(app, OTHER)
    assert other.get(f"/card/{sitting.deputies[1]['card']}").status_code == 302
    assert other.post("/api/v1/auth/token", json={"card": sitting.deputies[2]["card"]}).status_code == 200
    # A locked address gets 429 too, in minutes.
    row = throttle_row()
    row.failures, row.locked_until = app.config["CARD_LOGIN_LOCK_AFTER"], utcnow() + timedelta(minutes=15)
    db.session.commit()
    response = hall_api.post("/api/v1/auth/token", json={"card": fake_card(902)})
    assert response.status_code == 429 and "分钟后再试" in response.get_json()["error"]["message"]
    assert response.get_json()["error"]["code"] == "rate_limited"
    assert hall_api.post("/api/v1/auth/token", json={"card": sitting.deputies[0]["card"]}).status_code == 200
    assert other.post("/api/v1/auth/token", json={"card": sitting.deputies[0]["card"]}).status_code == 200


def test_a_successful_card_login_does_not_reset_the_count(app, sitting):
    cfg = app.config
    start = utcnow()
    for n in range(cfg["CARD_LOGIN_SLOWDOWN_AFTER"] - 1):
        fail(n, start)
    # A valid card from the same address and from another one: neither clears the count.
    assert services.deputy_for_card(sitting.deputies[0]["card"], source=HALL, now=start) is not None
    assert services.deputy_for_card(sitting.deputies[1]["card"], source=OTHER, now=start) is not None
    assert throttle_row().failures == cfg["CARD_LOGIN_SLOWDOWN_AFTER"] - 1
    fail(100, start)
    with pytest.raises(Refusal):
        services.deputy_for_card(fake_card(101), source=HALL, now=start + timedelta(seconds=1))


def test_valid_cards_never_count(app, api, sitting):
    """The bench and a hall log in hundreds of tablets from one address: no throttling."""
    release_database()
    hall = client_at(app, HALL)
    for _ in range(app.config["CARD_LOGIN_LOCK_AFTER"] + 5):
        for deputy in sitting.deputies:
            assert hall.post("/api/v1/auth/token", json={"card": deputy["card"]}).status_code == 200
        assert hall.get(f"/card/{sitting.deputies[0]['card']}").status_code == 302
    assert throttle_row() is None


def test_cards_of_a_closed_meeting_do_not_count(app, api, sitting):
    assert api.post(f"/api/v1/meetings/{sitting.mid}/close", sitting.secretariat).status_code == 200
    for _ in range(app.config["CARD_LOGIN_SLOWDOWN_AFTER"] + 2):
        assert services.deputy_for_card(sitting.deputies[0]["card"], source=HALL) is None
    assert throttle_row() is None


def test_old_failures_are_forgotten(app):
    start = utcnow()
    for n in range(app.config["CARD_LOGIN_SLOWDOWN_AFTER"]):
        fail(n, start)
    assert services.card_throttle_wait(HALL, start) > timedelta(0)
    later = start + app.config["CARD_LOGIN_FORGET_AFTER"] + timedelta(seconds=1)
    assert services.card_throttle_wait(HALL, later) == timedelta(0)
    fail(50, later)
    assert throttle_row().failures == 1


def test_count_is_shared_by_separate_app_instances(make_app, app):
    """Two apps (as two gunicorn workers) on one database see the same count."""
    release_database()
    worker_a, worker_b = make_app(), make_app()
    for n in range(app.config["CARD_LOGIN_SLOWDOWN_AFTER"]):
        worker = worker_a if n % 2 else worker_b
        assert client_at(worker, HALL).get(f"/card/{fake_card(n)}").status_code == 404
    assert client_at(worker_a, HALL).get(f"/card/{fake_card(99)}").status_code == 429
    assert_refused(client_at(worker_b, HALL).post("/api/v1/auth/token", json={"card": fake_card(98)}), 429, "rate_limited")


def test_nothing_secret_is_stored_or_logged(app, sitting, caplog, monkeypatch):
    release_database()
    # Alembic's fileConfig (a migration test earlier in the session) disables existing loggers.
    monkeypatch.setattr(app.logger, "disabled", False)
    caplog.set_level(logging.DEBUG)
    secrets = [fake_card(n) for n in range(app.config["CARD_LOGIN_LOCK_AFTER"])] + [sitting.deputies[0]["card"]]
    hall = client_at(app, HALL)
    start = utcnow()
    for n, secret in enumerate(secrets[:-1]):
        assert services.deputy_for_card(secret, source=HALL, now=start + timedelta(minutes=2 * n)) is None
    assert throttle_row().locked_until is not None
    assert hall.get(f"/card/{fake_card(777)}").status_code == 429
    assert hall.get(f"/card/{secrets[-1]}").status_code == 302
    assert client_at(app, OTHER).get(f"/card/{secrets[-1]}").status_code == 302
    stored = []
    for entry in db.session.scalars(select(AuditEntry)):
        stored += [entry.actor, entry.subject, entry.details]
    for row in db.session.scalars(select(AddressThrottle)):
        stored += [row.scope, row.address]
    text = "\n".join(stored) + "\n" + caplog.text
    assert "card_login_locked" in {e.action for e in db.session.scalars(select(AuditEntry))}
    assert "card login locked" in caplog.text
    leaked = [secret for secret in secrets if secret in text]
    assert leaked == []


def test_log_lines_mask_card_urls(app):
    from voting.logredact import RedactCardFilter, redact

    # The app installs the filter on its own logger and on the development server's.
    for logger in (app.logger, logging.getLogger("werkzeug")):
        assert any(isinstance(f, RedactCardFilter) for f in logger.filters)

    assert redact('GET /card/AbC-123_x HTTP/1.1') == "GET /card/… HTTP/1.1"
    assert redact("/card/AbC?x=1 and /card/Other") == "/card/…?x=1 and /card/…"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
                               ("10.0.0.1", "GET /card/secret-ABC HTTP/1.1", 302), None)
    assert RedactCardFilter().filter(record) and "secret-ABC" not in record.getMessage()
    # The receipt's QR code, fetched by the tablet: the code never sits next to its address.
    assert redact("GET /receipt-qr.svg?code=ABCD-EFGH-JKLM-NPQR HTTP/1.1") == "GET /receipt-qr.svg?code=… HTTP/1.1"
    assert redact("/receipt-qr.svg?size=4&code=ABCD-EFGH&x=1") == "/receipt-qr.svg?size=4&code=…&x=1"
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1, '%s - "%s" %s',
                               ("10.0.0.1", "GET /receipt-qr.svg?code=WXYZ-2345 HTTP/1.1", 200), None)
    assert RedactCardFilter().filter(record) and "WXYZ-2345" not in record.getMessage()
    # The public receipt check (issue #20): the code is masked in its query and in the API's path.
    assert redact("GET /receipt-check?ballot=7&code=ABCD-EFGH-JKLM-NPQR HTTP/1.1") == \
        "GET /receipt-check?ballot=7&code=… HTTP/1.1"
    assert redact("GET /receipt-qr.svg?code=ABCD-EFGH-JKLM-NPQR&ballot=7 HTTP/1.1") == \
        "GET /receipt-qr.svg?code=…&ballot=7 HTTP/1.1"
    assert redact("GET /api/v1/ballots/7/receipt-check/ABCD-EFGH-JKLM-NPQR HTTP/1.1") == \
        "GET /api/v1/ballots/7/receipt-check/… HTTP/1.1"


def test_gunicorn_access_log_masks_card_urls():
    import runpy
    from datetime import timedelta as td
    from pathlib import Path
    from types import SimpleNamespace

    from gunicorn.config import Config

    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    logger = settings["logger_class"](Config())
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": "/card/Top-Secret_1", "PATH_INFO": "/card/Top-Secret_1",
               "SERVER_PROTOCOL": "HTTP/1.1", "QUERY_STRING": "", "REMOTE_ADDR": "10.0.0.2"}
    atoms = logger.atoms(SimpleNamespace(status="302 FOUND", sent=0, headers=[]), SimpleNamespace(headers=[]),
                         environ, td(milliseconds=3))
    line = settings["access_log_format"] % atoms
    assert "/card/…" in line and "Top-Secret_1" not in line
