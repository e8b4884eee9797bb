"""What storage remembers about the order rows were written in, and how it is wiped.

Secret records (cast ballots, participations, idempotency records, anonymous appraisal
comments) carry no deputy and no time, but a database also keeps *where* and *when* a
row was written: on PostgreSQL each row version's transaction id (`xmin`) and heap
position, on SQLite the cell layout of a page and the write-ahead log's frames. Once
no more such rows can come (a ballot closes, a meeting ends), the rows are rewritten:

- `rewrite_in_key_order`, inside the closing transaction: delete the rows and insert
  them again sorted by their key (random ids, or deputy ids that say nothing without
  the order). On PostgreSQL the new versions share the closing transaction's id and
  sorted heap positions; on SQLite (WITHOUT ROWID B-trees) the cells are laid out in
  key order, with secure_delete zeroing the freed space.
- `scrub`, after that commit, best effort: PostgreSQL CLUSTERs the tables (a fresh
  data file without the old row versions); SQLite truncates its write-ahead log, which
  still held the pages as they were written. That succeeds only when no other
  connection is reading at that moment: it is tried again with longer waits
  (CHECKPOINT_WAITS_MS), and a warning is logged when it still cannot be done.

What remains is stated in SECURITY.md (Known limits).
"""
import logging

from sqlalchemy import delete, insert, select, text

from voting.extensions import db

log = logging.getLogger(__name__)

CHECKPOINT_WAITS_MS = (100, 250, 500, 1000, 2000)


def rewrite_in_key_order(table, condition, order_column: str) -> int:
    """Delete and re-insert the rows of `table` matching `condition`, sorted by
    `order_column`, in the caller's transaction; the number of rows rewritten."""
    session = db.session
    if session.get_bind().dialect.name == "sqlite":
        session.execute(text("PRAGMA secure_delete = ON"))
    rows = [dict(row._mapping) for row in session.execute(select(table).where(condition)
                                                          .order_by(table.c[order_column]))]
    if rows:
        session.execute(delete(table).where(condition))
        session.execute(insert(table), rows)
    return len(rows)


def _truncate_wal(engine, wait_ms: int) -> int:
    """One PRAGMA wal_checkpoint(TRUNCATE) waiting at most `wait_ms` for readers; 0 when done."""
    raw = engine.raw_connection()  # autocommit DBAPI connection: a checkpoint needs no transaction
    try:
        cursor = raw.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {int(wait_ms)}")
        busy = cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
        cursor.execute("PRAGMA busy_timeout = 30000")
        cursor.close()
        return busy
    finally:
        raw.close()


def scrub(tables) -> None:
    """After the rewrite committed: drop the old row versions (PostgreSQL, CLUSTER on the
    primary key) or the write-ahead log that held them (SQLite). Never raises: the
    records are committed, and a failure is a warning in the log."""
    engine = db.engine
    try:
        if engine.dialect.name == "postgresql":
            with engine.connect() as connection:
                connection.execute(text("SET lock_timeout = '5s'"))
                for table in tables:
                    connection.execute(text(f"CLUSTER {table.name} USING pk_{table.name}"))
                connection.commit()
        elif engine.dialect.name == "sqlite":
            busy = 1
            for wait_ms in CHECKPOINT_WAITS_MS:  # readers come and go: try again, waiting longer
                busy = _truncate_wal(engine, wait_ms)
                if not busy:
                    break
            if busy:
                log.warning("the write-ahead log could not be truncated after the close: readers stayed active; "
                            "it holds the pages as written until the next checkpoint (SECURITY.md)")
    except Exception as error:  # noqa: BLE001  (the close is committed; never turn this into an error)
        log.warning("storage scrub after close did not complete: %s", type(error).__name__)
