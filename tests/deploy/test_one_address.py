"""A hall behind one address (a NAT or a reverse proxy): every valid card signs in,
unknown cards from that address are still counted and locked, and with TRUSTED_PROXIES
the counters follow X-Forwarded-For (issue #18)."""
import pytest
from sqlalchemy import func, select

from tests.factories import PASSWORD, assert_refused
from tests.ballots.sitting import Sitting, release_database
from voting.accounts.models import AddressThrottle
from voting.extensions import db
from voting.integrity.models import AuditEntry
from voting.meetings.models import Attendance

HALL = "203.0.113.7"  # the hall's one public address
NEIGHBOUR = "198.51.100.20"
PROXY = "127.0.0.1"  # nginx on the same machine


def unknown_card(n: int) -> str:
    return f"not-a-card-{n:04d}-qqZZ"


def throttle(address: str):
    db.session.expire_all()
    return db.session.execute(select(AddressThrottle).filter_by(scope="card", address=address)).scalar_one_or_none()


@pytest.fixture
def hall(api, staff):
    sitting = Sitting(api, staff, size=650)
    release_database()
    return sitting


def test_650_cards_from_one_address_all_sign_in_while_40_unknown_cards_lock_it(make_app, hall):
    """The production limits are on (RATELIMIT_ENABLED): the blanket per-address limits must
    not touch a valid card, and the database counter must still stop a guesser."""
    limited = make_app(RATELIMIT_ENABLED=True, CARD_LOGIN_SLOWDOWN_AFTER=30, CARD_LOGIN_LOCK_AFTER=30)
    with limited.app_context():
        tablets = limited.test_client()
        tablets.environ_base["REMOTE_ADDR"] = HALL
        statuses, unknown = [], []
        for n, deputy in enumerate(hall.deputies):
            page = tablets.get(f"/card/{deputy['card']}")
            token = tablets.post("/api/v1/auth/token", json={"card": deputy["card"]})
            statuses += [page.status_code, token.status_code]
            if n % 16 == 0 and len(unknown) < 40:  # a guesser on the same address, mixed in
                guess = tablets.post("/api/v1/auth/token", json={"card": unknown_card(n)})
                unknown.append((guess.status_code, guess.get_json()["error"]["code"]))
        assert len(statuses) == 1300 and set(statuses) == {200, 302}
        assert statuses.count(302) == 650
        # Every deputy is checked in by the scan.
        present = db.session.scalar(select(func.count()).select_from(Attendance).where(
            Attendance.meeting_id == int(hall.mid)))
        assert present == 650
        # 30 unknown cards counted and refused, then the address locked: the last ten wait.
        assert len(unknown) == 40
        assert unknown[:30] == [(401, "invalid_card")] * 30
        assert unknown[30:] == [(429, "rate_limited")] * 10
        row = throttle(HALL)
        assert row.failures == 30 and row.locked_until is not None
        locks = db.session.scalars(select(AuditEntry).filter_by(action="card_login_locked")).all()
        assert [entry.actor for entry in locks] == [HALL]
        # Locked for guesses, open for the hall: a valid card still signs in from there.
        assert tablets.get(f"/card/{hall.deputies[0]['card']}").status_code == 302
        page = tablets.get(f"/card/{unknown_card(9999)}")
        assert page.status_code == 429 and "分钟后再试" in page.get_data(as_text=True)
        # The neighbour is not locked.
        neighbour = limited.test_client()
        response = neighbour.post("/api/v1/auth/token", json={"card": unknown_card(1)},
                                  environ_base={"REMOTE_ADDR": NEIGHBOUR})
        assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_card"


def _guess_through_proxy(client, forwarded_for: str, n: int):
    return client.post("/api/v1/auth/token", json={"card": unknown_card(n)},
                       headers={"X-Forwarded-For": forwarded_for}, environ_base={"REMOTE_ADDR": PROXY})


def test_with_trusted_proxies_the_counter_uses_the_forwarded_address(make_app, hall):
    behind = make_app(TRUSTED_PROXIES=1, CARD_LOGIN_SLOWDOWN_AFTER=5, CARD_LOGIN_LOCK_AFTER=5)
    with behind.app_context():
        client = behind.test_client()
        for n in range(5):
            assert_refused(_guess_through_proxy(client, HALL, n), 401, "invalid_card")
        blocked = _guess_through_proxy(client, HALL, 5)
        assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == "rate_limited"
        # The counter and the audit hold the tablet's address, never the proxy's.
        assert throttle(HALL).failures == 5 and throttle(PROXY) is None
        actors = {entry.actor for entry in db.session.scalars(select(AuditEntry).filter_by(action="card_login_failed"))}
        assert actors == {HALL}
        # Another client behind the same proxy is not affected.
        other = _guess_through_proxy(client, NEIGHBOUR, 6)
        assert other.status_code == 401 and other.get_json()["error"]["code"] == "invalid_card"
        # Only the last hop counts: a tablet cannot choose its address by sending its own header.
        spoofed = _guess_through_proxy(client, f"{NEIGHBOUR}, {HALL}", 7)
        assert_refused(spoofed, 429, "rate_limited")


def test_without_trusted_proxies_x_forwarded_for_is_ignored(make_app, hall):
    direct = make_app(CARD_LOGIN_SLOWDOWN_AFTER=5, CARD_LOGIN_LOCK_AFTER=5)
    with direct.app_context():
        client = direct.test_client()
        for n in range(5):  # a guesser claiming a new address each time
            assert_refused(_guess_through_proxy(client, f"192.0.2.{n}", n), 401, "invalid_card")
        blocked = _guess_through_proxy(client, "192.0.2.200", 5)
        assert blocked.status_code == 429 and blocked.get_json()["error"]["code"] == "rate_limited"
        assert throttle(PROXY).failures == 5
        assert db.session.scalar(select(func.count()).select_from(AddressThrottle)) == 1


def test_blanket_limits_follow_the_forwarded_address(make_app, staff):
    """Flask-Limiter's per-address limits (here the staff login form, 20 a minute) key on
    the client behind the proxy when TRUSTED_PROXIES is set, on the proxy otherwise."""
    release_database()
    for proxies, expected in ((1, 200), (0, 429)):
        app = make_app(RATELIMIT_ENABLED=True, TRUSTED_PROXIES=proxies)
        with app.app_context():
            client = app.test_client()
            for n in range(20):
                response = client.post("/login", data={"username": f"nobody{n}", "password": "x"},
                                       headers={"X-Forwarded-For": HALL}, environ_base={"REMOTE_ADDR": PROXY})
                assert response.status_code != 429
            response = client.get("/login", headers={"X-Forwarded-For": NEIGHBOUR}, environ_base={"REMOTE_ADDR": PROXY})
            assert response.status_code == 200
            response = client.post("/login", data={"username": "nobody", "password": "x"},
                                   headers={"X-Forwarded-For": NEIGHBOUR}, environ_base={"REMOTE_ADDR": PROXY})
            assert (response.status_code == 429) == (expected == 429)


def test_a_bad_trusted_proxies_setting_is_named_at_start(make_app):
    for bad in ("two", -1, 9):
        with pytest.raises(ValueError, match="TRUSTED_PROXIES"):
            make_app(TRUSTED_PROXIES=bad)


def test_served_over_tls_sends_secure_cookies_and_hsts(make_app, staff):
    release_database()
    tls = make_app(SERVED_OVER_TLS="1")
    with tls.app_context():
        client = tls.test_client()
        response = client.post("/login", data={"username": staff["secretariat"].username, "password": PASSWORD},
                               base_url="https://hall.local")
        assert response.headers["Strict-Transport-Security"].startswith("max-age=")
        assert tls.config["SESSION_COOKIE_SECURE"] and tls.config["REMEMBER_COOKIE_SECURE"]
    plain = make_app()
    with plain.app_context():
        response = plain.test_client().get("/login")
        assert "Strict-Transport-Security" not in response.headers
        assert not plain.config["SESSION_COOKIE_SECURE"]
