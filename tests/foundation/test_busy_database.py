"""A database that cannot answer in time (every pooled connection taken, SQLite's write
lock held past busy_timeout, the server gone) is a 503 with Retry-After, never a 500:
nothing was stored and the client may retry (tablets do, with the same key)."""
import sqlalchemy as sa

from tests.factories import assert_refused
from voting.extensions import db


def test_no_free_connection_is_503_with_retry_after(make_app, staff):
    username = staff["secretariat"].username
    db.session.commit()  # the fixtures' own transaction would hold SQLite's write lock
    app = make_app(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 1, "max_overflow": 0, "pool_timeout": 0.2})
    with app.app_context():
        held = db.engine.connect()  # the pool's only connection
        try:
            held.execute(sa.text("SELECT 1"))
            api = app.test_client().post("/api/v1/auth/token",
                                         json={"username": username, "password": "x"})
            page = app.test_client().post("/login", data={"username": username,
                                                           "password": "x"})
        finally:
            held.close()
        assert api.status_code == 503 and api.headers["Retry-After"] == "1"
        assert api.get_json()["error"]["code"] == "service_unavailable"
        assert "重试" in api.get_json()["error"]["message"]
        assert page.status_code == 503 and "服务器繁忙" in page.get_data(as_text=True)
        # Free again: the same request is answered normally.
        again = app.test_client().post("/api/v1/auth/token",
                                       json={"username": username, "password": "x"})
        assert_refused(again, 401, "invalid_credentials")
