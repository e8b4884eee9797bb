"""The writers' gate (voting.database.WriterGate): on SQLite every write transaction
passes it before BEGIN IMMEDIATE, so writers queue and the next one goes as soon as
the last one ends, instead of sleeping in SQLite's busy handler. It orders writers
SQLite serializes anyway: one that cannot pass in time fails as busy_timeout would,
503 with nothing stored."""
import fcntl
import os
import stat
import uuid

import pytest
from sqlalchemy import func, select

from tests.ballots.sitting import Sitting, release_database
from voting.ballots.models import Participation
from voting.database import WriterGate, write_intent
from voting.extensions import db

pytestmark = pytest.mark.skipif(os.environ.get("VOTING_TEST_DB", "sqlite") != "sqlite",
                                reason="the gate is SQLite's: PostgreSQL locks rows, not the database")


def gate_path() -> str:
    return db.engine.url.database + "-gate"


def test_a_write_that_cannot_pass_the_gate_in_time_is_503_and_stores_nothing(app, api, staff, monkeypatch):
    s = Sitting(api, staff, size=1)
    s.check_in([0])
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    choices, key = {ballot["items"][0]["id"]: "yes"}, uuid.uuid4().hex
    token = s.token(0)
    release_database()
    monkeypatch.setattr(WriterGate, "TIMEOUT_S", 0.3)
    holder = os.open(gate_path(), os.O_RDWR)  # another process's writer, as the kernel sees it
    try:
        fcntl.flock(holder, fcntl.LOCK_EX)
        refused = s.vote(0, ballot["id"], choices, key)
    finally:
        os.close(holder)
    assert refused.status_code == 503 and refused.headers["Retry-After"] == "1"
    assert refused.get_json()["error"]["code"] == "service_unavailable"
    release_database()
    assert db.session.scalar(select(func.count()).select_from(Participation)) == 0
    # The gate free again: the tablet's retry (same key) is stored.
    assert s.api.post(f"/api/v1/ballots/{ballot['id']}/votes", token, json={"choices": choices},
                      headers={"Idempotency-Key": key}).status_code == 201


def test_the_gate_is_held_by_a_write_transaction_until_it_ends_however_it_ends(app):
    release_database()
    write_intent.set(True)  # as a request that writes sets it (voting.web)
    for end in ("commit", "rollback", "close", "invalidate"):
        connection = db.engine.connect()
        connection.begin()  # a write transaction: the gate, then BEGIN IMMEDIATE
        assert not _free(gate_path()), end
        if end in ("commit", "rollback"):
            getattr(connection, end)()
            assert _free(gate_path()), end
        getattr(connection, end if end in ("close", "invalidate") else "close")()
        assert _free(gate_path()), end
    with db.engine.connect() as connection:  # the gate is free for this process's next writer too
        connection.begin()
        connection.rollback()


def _free(path: str) -> bool:
    probe = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(probe, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return True
    except BlockingIOError:
        return False
    finally:
        os.close(probe)


def test_the_gate_file_is_the_service_users_only(app, api, staff):
    Sitting(api, staff, size=1)  # some writes
    assert stat.S_IMODE(os.stat(gate_path()).st_mode) & 0o077 == 0
