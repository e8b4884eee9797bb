"""Connection setup for the two supported databases.

SQLite: WAL journal, synchronous=FULL (a committed vote survives power loss) and
foreign keys on, for every connection. Writes begin with BEGIN IMMEDIATE so that a
read-then-write transaction (a cast: check, then insert) never fails half-way with
SQLITE_BUSY when another writer got in first; it waits (busy_timeout) instead.
"""
import contextvars

from sqlalchemy import event
from sqlalchemy.engine import Engine

# Set to False by read-only requests so that they do not queue behind writers.
write_intent = contextvars.ContextVar("write_intent", default=True)


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"


def configure_engine(engine: Engine) -> None:
    if not is_sqlite(engine) or getattr(engine, "_voting_configured", False):
        return
    engine._voting_configured = True

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")
