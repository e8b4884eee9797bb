"""Staff login, throttling, bearer tokens, CSRF."""
from datetime import timedelta

import pytest

from tests.factories import PASSWORD, assert_refused, gen_user
from voting.accounts import services
from voting.accounts.models import utcnow
from voting.extensions import db


def test_token_with_right_password(api, staff):
    response = api.post("/api/v1/auth/token", json={"username": staff["secretariat"].username, "password": PASSWORD})
    assert response.status_code == 200
    data = response.get_json()
    assert data["role"] == "secretariat" and data["token"] and data["expires_at"].endswith("Z")


@pytest.mark.parametrize("credentials", [
    {"username": "nobody", "password": PASSWORD},
    {"username": "__SECRETARIAT__", "password": "wrong-password"},
])
def test_token_with_wrong_credentials_is_401(api, staff, credentials):
    body = {k: (staff["secretariat"].username if v == "__SECRETARIAT__" else v) for k, v in credentials.items()}
    response = api.post("/api/v1/auth/token", json=body)
    assert_refused(response, 401, "invalid_credentials")
    assert response.get_json()["error"]["code"] == "invalid_credentials"


@pytest.mark.parametrize("raw", [b"", b"not json", b"[1,2]", b'{"username": 5, "password": "x"}'])
def test_token_with_malformed_body_is_400(client, raw):
    response = client.post("/api/v1/auth/token", data=raw, content_type="application/json")
    assert_refused(response, 400, "bad_request")
    assert "message" in response.get_json()["error"]


def test_repeated_failures_slow_down_then_lock(app, staff):
    user = staff["teller"]
    start = utcnow()
    for attempt in range(app.config["LOGIN_SLOWDOWN_AFTER"]):
        with pytest.raises(services.LoginRefused) as refused:
            services.authenticate(user.username, "bad-password", now=start + timedelta(seconds=attempt))
        assert not refused.value.throttled
    # The next try comes too soon: refused without even checking the password.
    with pytest.raises(services.LoginRefused) as refused:
        services.authenticate(user.username, PASSWORD, now=start + timedelta(seconds=3))
    assert refused.value.throttled
    # Far enough apart, failures continue until the account locks.
    moment = start
    while db.session.get(type(user), user.id).locked_until is None:
        moment += timedelta(minutes=2)
        with pytest.raises(services.LoginRefused):
            services.authenticate(user.username, "bad-password", now=moment)
    with pytest.raises(services.LoginRefused) as refused:
        services.authenticate(user.username, PASSWORD, now=moment + timedelta(minutes=5))
    assert refused.value.throttled and "秒后再试" in refused.value.message
    # After the lock expires the right password works and resets the counter.
    ok = services.authenticate(user.username, PASSWORD, now=moment + app.config["LOGIN_LOCK_FOR"] + timedelta(minutes=1))
    assert ok.failed_logins == 0


def test_locked_account_gets_429_from_api(api, app, staff):
    user = staff["leader"]
    user.failed_logins = app.config["LOGIN_LOCK_AFTER"]
    user.locked_until = utcnow() + timedelta(minutes=10)
    db.session.commit()
    response = api.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert_refused(response, 429, "rate_limited")
    assert "秒后再试" in response.get_json()["error"]["message"]


def test_expired_token_is_refused(app, api, staff):
    raw, token = services.issue_token(user=staff["leader"], now=utcnow() - timedelta(days=2),
                                      lifetime=timedelta(hours=1))
    db.session.commit()
    assert services.resolve_token(raw) is None
    response = api.get("/api/v1/stations", token=raw)
    assert response.status_code == 401  # API.md: 401 no/bad token
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    # The same token while still valid is accepted: the 401 is the expiry.
    token.expires_at = utcnow() + timedelta(hours=1)
    db.session.commit()
    assert api.get("/api/v1/stations", token=raw).status_code == 200


def test_revoked_token_is_refused(api, staff):
    token = api.token(staff["leader"].username)
    assert services.resolve_token(token) is not None
    assert api.post("/api/v1/auth/revoke", token=token).status_code == 200
    assert services.resolve_token(token) is None
    assert_refused(api.post("/api/v1/auth/revoke", token=token), 401, "unauthorized")


def test_only_token_hash_is_stored(api, staff):
    from voting.accounts.models import ApiToken

    token = api.token(staff["leader"].username)
    stored = db.session.query(ApiToken).all()
    assert stored and all(token not in (row.token_hash or "") for row in stored)


def test_browser_login_and_logout(client, staff):
    page = client.get("/login")
    assert page.status_code == 200 and "工作人员登录" in page.get_data(as_text=True)
    response = client.post("/login", data={"username": staff["leader"].username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/dashboard").status_code == 200
    client.post("/logout")
    assert client.get("/dashboard").status_code == 302


def test_browser_login_wrong_password_shows_message(client, staff):
    response = client.post("/login", data={"username": staff["leader"].username, "password": "nope-nope"})
    assert response.status_code == 401
    assert "用户名或密码错误" in response.get_data(as_text=True)


def test_form_post_without_csrf_token_is_refused(make_app, staff):
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    response = client.post("/login", data={"username": staff["leader"].username, "password": PASSWORD})
    assert response.status_code == 400
    assert "过期" in response.get_data(as_text=True) or "安全令牌" in response.get_data(as_text=True)


def test_form_post_with_csrf_token_is_accepted(make_app, staff):
    import re

    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    response = client.post("/login", data={"username": staff["leader"].username, "password": PASSWORD,
                                           "csrf_token": token})
    assert response.status_code == 302


def test_error_pages_are_chinese(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and "页面不存在" in response.get_data(as_text=True)
    api_response = client.get("/api/v1/no-such-thing")
    assert api_response.status_code == 404 and api_response.get_json()["error"]["code"] == "not_found"


def test_security_headers(client):
    response = client.get("/login")
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_inactive_user_cannot_log_in(api, body):
    user = gen_user("leader", body)
    user.active = False
    db.session.commit()
    response = api.post("/api/v1/auth/token", json={"username": user.username, "password": PASSWORD})
    assert_refused(response, 401, "invalid_credentials")
