"""CSRF on every state-changing page route and on API calls made with a browser session,
the session cookie's flags, and the Chinese 403 and 500 pages."""
import re

import pytest
from werkzeug.routing import AnyConverter, IntegerConverter

from tests.ballots.sitting import Sitting, release_database
from tests.factories import PASSWORD

STATE_CHANGING = {"POST", "PUT", "PATCH", "DELETE"}
# Page routes that may take a state-changing request without a CSRF token. None: the
# only exempt blueprint is the JSON API (csrf.exempt(api_bp) in voting/web.py), which
# checks X-CSRFToken itself whenever the caller uses a browser session instead of a
# bearer token (test_api_post_with_session_cookie_needs_csrf_header below).
CSRF_EXEMPT: set[str] = set()


def _fill(rule) -> dict:
    """Any value each path parameter accepts: an integer, a listed choice, or a word."""
    values = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, AnyConverter):
            values[name] = sorted(converter.items)[0]
        elif isinstance(converter, IntegerConverter):
            values[name] = 1
        else:
            values[name] = "x1"
    return values


def _page_routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & STATE_CHANGING):
            found.append((method, rule))
    return found


def _staff_session(client, user_id: int):
    with client.session_transaction() as session:
        session["_user_id"] = f"u:{user_id}"
        session["_uv"] = 0  # a new account's session_version
        session["_fresh"] = True


def test_every_page_post_without_csrf_token_is_refused(make_app, staff):
    admin_id = staff["admin"].id
    release_database()
    app = make_app(WTF_CSRF_ENABLED=True)
    routes = _page_routes(app)
    assert len(routes) >= 40  # the walk really covers the app's forms
    client = app.test_client()
    _staff_session(client, admin_id)
    assert client.get("/dashboard").status_code == 200  # the session is logged in
    not_refused = []
    for method, rule in routes:
        if rule.endpoint in CSRF_EXEMPT:
            continue
        path = app.url_map.bind("localhost").build(rule.endpoint, _fill(rule), method=method)
        response = client.open(path, method=method, data={"name": "x", "title": "x"})
        body = response.get_data(as_text=True)
        if response.status_code != 400 or "安全令牌" not in body:
            not_refused.append((method, path, rule.endpoint, response.status_code))
    assert not_refused == []
    assert CSRF_EXEMPT <= {rule.endpoint for _, rule in routes}  # no stale exemption


def test_a_form_post_with_the_token_gets_past_csrf(make_app, staff):
    """The refusal above is the CSRF check, not some other 400: with the token the same
    session's post goes through (here: logout redirects)."""
    admin_id = staff["admin"].id
    release_database()
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    _staff_session(client, admin_id)
    page = client.get("/dashboard").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302


def test_api_post_with_session_cookie_needs_csrf_header(make_app, staff):
    username = staff["secretariat"].username
    release_database()
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page).group(1)
    assert client.post("/login", data={"username": username, "password": PASSWORD,
                                       "csrf_token": token}).status_code == 302
    # The browser's cookie session, no X-CSRFToken: refused, nothing created.
    response = client.post("/api/v1/meetings", json={"name": "无令牌会议"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    response = client.post("/api/v1/meetings", json={"name": "错令牌会议"}, headers={"X-CSRFToken": "forged"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    assert client.get("/api/v1/meetings").get_json()["meetings"] == []
    # With the page's token the same call is accepted.
    token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/dashboard").get_data(as_text=True)).group(1)
    response = client.post("/api/v1/meetings", json={"name": "有令牌会议"}, headers={"X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()


def test_tablet_vote_with_session_cookie_needs_csrf_header(make_app, app, api, staff):
    sitting = Sitting(api, staff, size=2)
    sitting.check_in(range(2))
    ballot = sitting.ballot(items=2, seats=1)
    sitting.act(ballot["id"], "open")
    release_database()
    tablet = make_app(WTF_CSRF_ENABLED=True).test_client()
    assert tablet.get(f"/card/{sitting.deputies[0]['card']}").status_code == 302
    page = tablet.get("/tablet").get_data(as_text=True)
    token = re.search(r'data-csrf="([^"]+)"', page).group(1)
    url = f"/api/v1/ballots/{ballot['id']}/votes"
    response = tablet.post(url, json={"choices": {}}, headers={"Idempotency-Key": "no-csrf"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "csrf_failed"
    response = tablet.post(url, json={"choices": {}}, headers={"Idempotency-Key": "csrf", "X-CSRFToken": token})
    assert response.status_code == 201, response.get_json()


def _session_cookie_header(response) -> str:
    cookies = [value for value in response.headers.getlist("Set-Cookie") if value.startswith("session=")]
    assert cookies, response.headers
    return cookies[-1]


@pytest.mark.parametrize("secure", [False, True])
def test_session_cookie_flags(make_app, staff, secure):
    username = staff["leader"].username
    release_database()
    app = make_app(SESSION_COOKIE_SECURE=True) if secure else make_app()
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302
    flags = [part.strip().lower() for part in _session_cookie_header(response).split(";")]
    assert "httponly" in flags
    assert "samesite=lax" in flags
    assert ("secure" in flags) is secure


def test_card_login_cookie_flags(make_app, app, api, staff):
    sitting = Sitting(api, staff, size=1)
    release_database()
    client = make_app(SESSION_COOKIE_SECURE=True).test_client()
    response = client.get(f"/card/{sitting.deputies[0]['card']}")
    assert response.status_code == 302
    flags = [part.strip().lower() for part in _session_cookie_header(response).split(";")]
    assert {"httponly", "samesite=lax", "secure"} <= set(flags)


def test_secure_cookie_is_configured_from_the_environment(monkeypatch, base_config):
    from voting import create_app

    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    assert create_app(base_config).config["SESSION_COOKIE_SECURE"] is True
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "0")
    assert create_app(base_config).config["SESSION_COOKIE_SECURE"] is False


def test_forbidden_page_is_chinese(client, staff):
    client.post("/login", data={"username": staff["leader"].username, "password": PASSWORD})
    response = client.get("/admin/users")
    assert response.status_code == 403
    body = response.get_data(as_text=True)
    assert "无权访问" in body and "Forbidden" not in body


def test_server_error_page_is_chinese_and_hides_the_error(make_app, caplog, monkeypatch):
    app = make_app(PROPAGATE_EXCEPTIONS=False)
    # Alembic's fileConfig (a migration test earlier in the session) disables existing loggers.
    monkeypatch.setattr(app.logger, "disabled", False)

    def explode():
        raise RuntimeError("internal detail xyz-42")

    app.add_url_rule("/test-only/explode", "test_only_explode", explode)
    app.add_url_rule("/api/v1/test-only/explode", "test_only_api_explode", explode)
    client = app.test_client()
    response = client.get("/test-only/explode")
    assert response.status_code == 500
    body = response.get_data(as_text=True)
    assert "系统出错" in body and "xyz-42" not in body and "Internal Server Error" not in body
    api_response = client.get("/api/v1/test-only/explode")
    assert api_response.status_code == 500
    assert api_response.get_json()["error"]["code"] == "internal_error"
    assert "xyz-42" not in api_response.get_data(as_text=True)
    assert "xyz-42" in caplog.text  # the administrator still finds it in the log
