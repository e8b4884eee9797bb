"""Secrecy: after a vote, nothing stored or logged links a choice to a deputy, and no
choice is stored in plain text (DESIGN.md, "Secrecy and integrity")."""
import logging
import re

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests.ballots.sitting import Sitting, release_database
from voting.ballots.models import CastBallot
from voting.extensions import db

DEPUTY_COLUMNS = {"deputy_id"}
VOTE_COLUMNS = {"tracker", "sealed", "receipt", "choices"}
TIME_OR_ORDER = {"created_at", "at", "checked_in_at", "updated_at", "position", "seq", "number"}


def dump_every_table() -> dict:
    release_database()
    return {table.name: [dict(row._mapping) for row in db.session.execute(select(table))]
            for table in db.metadata.sorted_tables}


def values_of(rows):
    for row in rows:
        for value in row.values():
            if isinstance(value, (bytes, memoryview)):
                yield bytes(value)
            elif value is not None:
                yield str(value).encode("utf-8")


@pytest.fixture
def voted(api, staff, caplog):
    caplog.set_level(logging.DEBUG)
    s = Sitting(api, staff, size=6)
    s.check_in(range(6))
    ballot = s.ballot(items=4, seats=2)
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(s.bid, "open")
    plans = [{0: "yes", 1: "no"}, {1: "yes", 2: "abstain"}, {2: "yes", 3: "no"}, {0: "no", 3: "yes"},
             {0: "yes", 3: "yes"}]
    s.receipts = {}
    s.fragments = set()
    for index, plan in enumerate(plans):
        choices = {s.ids[item]: choice for item, choice in plan.items()}
        s.receipts[index] = s.vote(index, s.bid, choices, key=f"key-{index}").get_json()["receipt"]
        s.fragments |= {f'"{key}":"{choice}"' for key, choice in choices.items()}
    return s


def check_nothing_links(s, caplog):
    tables = dump_every_table()
    # 1. no table has both a deputy and a vote column (named_vote is for named ballots only)
    for table in db.metadata.sorted_tables:
        columns = {column.name for column in table.columns}
        if columns & DEPUTY_COLUMNS and columns & VOTE_COLUMNS:
            assert table.name == "named_vote" and tables["named_vote"] == [], table.name
        if "tracker" in columns:
            assert not columns & TIME_OR_ORDER and not columns & DEPUTY_COLUMNS, table.name
            assert not any(column.autoincrement is True for column in table.columns), table.name
    # 2. no plain choice anywhere, and each tracker only in cast_ballot
    for name, rows in tables.items():
        stored = list(values_of(rows))
        for fragment in s.fragments:
            assert not any(fragment.encode() in value for value in stored), (name, fragment)
        if name != "cast_ballot":
            for receipt in s.receipts.values():
                assert not any(receipt.encode() in value for value in stored), (name, receipt)
    # 3. the sealed bytes hide the choice words, and all have one length
    for row in tables["cast_ballot"]:
        sealed = bytes(row["sealed"])
        assert not any(word in sealed for word in (b'"yes"', b'"no"', b'"abstain"'))
    assert len({len(bytes(row["sealed"])) for row in tables["cast_ballot"]}) == 1
    # 4. log lines carry no choice and no receipt
    for record in caplog.records:
        message = record.getMessage()
        assert not any(fragment in message for fragment in s.fragments), message
        assert not any(receipt in message for receipt in s.receipts.values()), message
        assert '"choices"' not in message


def test_nothing_links_a_choice_to_a_deputy_while_open(voted, caplog):
    check_nothing_links(voted, caplog)


def test_nothing_links_a_choice_to_a_deputy_after_close_and_publish(voted, caplog):
    voted.act(voted.bid, "close")
    voted.act(voted.bid, "publish")
    check_nothing_links(voted, caplog)
    audit_text = " ".join(str(row) for row in dump_every_table()["audit_entry"])
    assert "yes" not in audit_text and "abstain" not in audit_text


def test_cast_ballot_storage_keeps_no_insertion_order(voted):
    voted.act(voted.bid, "close")
    release_database()
    bid = int(voted.bid)
    if db.engine.dialect.name == "sqlite":
        for table in ("cast_ballot", "participation", "idempotency_record", "ballot_voter"):
            with pytest.raises(DatabaseError):
                db.session.execute(text(f"SELECT rowid FROM {table}")).all()
            db.session.rollback()
    else:
        # after close every row of the ballot was rewritten by the closing transaction,
        # in key order: no xmin or heap position pairs a participation with its ballot
        cast_xmins = db.session.scalars(text("SELECT DISTINCT xmin::text FROM cast_ballot WHERE ballot_id = :b"),
                                        {"b": bid}).all()
        voted_xmins = db.session.scalars(text("SELECT DISTINCT xmin::text FROM participation WHERE ballot_id = :b"),
                                         {"b": bid}).all()
        assert len(cast_xmins) == 1 and cast_xmins == voted_xmins
        physical = db.session.scalars(text("SELECT id FROM cast_ballot WHERE ballot_id = :b ORDER BY ctid"),
                                      {"b": bid}).all()
        assert physical == sorted(physical)
    ids = db.session.scalars(select(CastBallot.id).where(CastBallot.ballot_id == bid)).all()
    # random 128-bit ids (32 hex digits), all different: nothing counts up with the order of casting
    assert ids and all(re.fullmatch(r"[0-9a-f]{32}", cast_id) for cast_id in ids) and len(set(ids)) == len(ids)


def test_scrub_after_close_completes(voted, caplog):
    voted.act(voted.bid, "close")
    assert not [r for r in caplog.records if "storage scrub" in r.getMessage() or "write-ahead" in r.getMessage()]


def test_a_reader_holding_the_wal_through_every_retry_is_a_warning(voted, caplog, database_url):
    """SQLite: a connection reading all along (a snapshot open in another process) keeps
    the WAL from being truncated; the close still succeeds and the log says so plainly."""
    if not database_url.startswith("sqlite"):
        pytest.skip("the write-ahead log is SQLite's")
    import sqlite3

    reader = sqlite3.connect(database_url[len("sqlite:///"):], isolation_level=None)
    try:
        reader.execute("BEGIN")
        reader.execute("SELECT count(*) FROM cast_ballot").fetchone()  # holds its snapshot of the WAL
        voted.act(voted.bid, "close")
    finally:
        reader.execute("COMMIT")
        reader.close()
    warnings = [r for r in caplog.records if "write-ahead log could not be truncated" in r.getMessage()]
    assert warnings and warnings[0].levelno == logging.WARNING


def test_idempotency_key_is_never_stored(voted):
    tables = dump_every_table()
    for rows in tables.values():
        assert not any(b"key-1" in value for value in values_of(rows))
