"""What the files and the logs keep (issue #19): the SQLite database and its WAL are
the service's alone (0600), every connection zeroes what it deletes (secure_delete),
and a database error in the log shows no bound values (hide_parameters)."""
import logging
import os
import stat

import pytest
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from voting.extensions import db


def _sqlite_path(database_url: str) -> str:
    if not database_url.startswith("sqlite:///"):
        pytest.skip("SQLite's files")
    return database_url[len("sqlite:///"):]


def test_the_database_files_are_the_services_alone(app, database_url):
    path = _sqlite_path(database_url)
    os.chmod(path, 0o644)  # as SQLite leaves a file under the usual umask
    db.session.remove()
    db.engine.dispose()  # the next connection is a new one: it tightens the files again
    db.session.execute(text("SELECT 1"))
    for name in (path, path + "-wal", path + "-shm"):
        if os.path.exists(name):
            assert stat.S_IMODE(os.stat(name).st_mode) == 0o600, name


def test_every_sqlite_connection_zeroes_what_it_deletes(app, database_url):
    _sqlite_path(database_url)
    db.session.remove()
    db.engine.dispose()
    for _ in range(2):  # a fresh connection and a pooled one
        assert db.session.execute(text("PRAGMA secure_delete")).scalar() == 1
        db.session.remove()


def test_a_logged_database_error_shows_no_values(app, caplog):
    caplog.set_level(logging.DEBUG)
    secret = "card-secret-QWERTY-123456"
    with pytest.raises(SQLAlchemyError) as raised:
        db.session.execute(text("SELECT * FROM no_such_table WHERE x = :x"), {"x": secret})
    db.session.rollback()
    assert secret not in str(raised.value)
    assert "hidden due to hide_parameters" in str(raised.value)


def test_pages_with_secrets_are_never_cached(client, staff):
    from tests.factories import PASSWORD

    assert "no-store" not in client.get("/login").headers.get("Cache-Control", "")
    assert client.post("/login", data={"username": staff["secretariat"].username,
                                       "password": PASSWORD}).status_code == 302
    for path in ("/dashboard", "/meetings"):
        response = client.get(path)
        assert response.status_code == 200 and "no-store" in response.headers.get("Cache-Control", ""), path
    assert "no-store" in client.get("/screen/1?token=abc").headers.get("Cache-Control", "")
