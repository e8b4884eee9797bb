"""Connection setup for the two supported databases.

SQLite: WAL journal, synchronous=FULL (a committed vote survives power loss), foreign
keys on and secure_delete on (deleted and rewritten rows are overwritten with zeros,
not left in free pages), for every connection; the database file and its -wal and
-shm files are made readable by the service's own user only (0600). Writes begin with BEGIN IMMEDIATE so that a
read-then-write transaction (a cast: check, then insert) never fails half-way with
SQLITE_BUSY when another writer got in first; it waits (busy_timeout) instead.
"""
import contextvars
import os

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
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
        _owner_only(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if write_intent.get() else "BEGIN")


def _owner_only(path: str | None) -> None:
    """chmod 0600 the SQLite file and its WAL and shared-memory files where they exist
    (SQLite creates them with the process's umask, usually world-readable)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    for name in (path, path + "-wal", path + "-shm"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:  # not there (yet), or not ours: nothing to tighten
            pass
