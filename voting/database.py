"""Connection setup for the two supported databases.

SQLite: WAL journal, synchronous=FULL (a committed vote survives power loss), foreign
keys on and secure_delete on (deleted and rewritten rows are overwritten with zeros,
not left in free pages), for every connection; the database file and its -wal and
-shm files are made readable by the service's own user only (0600). Writes begin with BEGIN IMMEDIATE so that a
read-then-write transaction (a cast: check, then insert) never fails half-way with
SQLITE_BUSY when another writer got in first; it waits instead, at the writers' gate
(`WriterGate`) and then, should a writer outside the gate hold the lock, busy_timeout.
"""
import contextvars
import fcntl
import os
import sqlite3
import threading
import time

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

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

    gate = WriterGate(engine.url.database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        if not write_intent.get():
            connection.exec_driver_sql("BEGIN")
            return
        dbapi_connection = connection.connection.dbapi_connection
        gate.enter(dbapi_connection)
        try:
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        except BaseException:
            gate.leave(dbapi_connection)
            raise

    # The transaction ends in the dialect's commit, rollback or close of the DBAPI
    # connection (SQLAlchemy's own events fire before them): the gate opens after.
    dialect = engine.dialect
    for name in ("do_commit", "do_rollback", "do_close"):
        def ended(dbapi_connection, _end=getattr(dialect, name)):
            try:
                _end(dbapi_connection)
            finally:
                gate.leave(dbapi_connection)
        setattr(dialect, name, ended)


class WriterGate:
    """SQLite's write lock, queued for: every write transaction of this engine passes
    the gate before BEGIN IMMEDIATE and leaves it when the transaction ends.

    Why: a writer that finds SQLite's lock taken sleeps in SQLite's busy handler, for
    1, 2, 5, ... up to 100 ms at a time, and so may sleep long after the lock was freed;
    in a hall's burst of casts the lock then stands idle while every worker's writer
    sleeps (BENCHMARKS.md, "Group commit"). At the gate, the threads of one process
    queue on a lock that wakes the next at once, and one thread per process waits for
    the file lock (flock on `<database>-gate`) held by the writing process, polling it
    every `POLL_S`. The gate only orders writers that SQLite serializes anyway, so it
    changes no outcome; one not obtained within `TIMEOUT_S` fails as busy_timeout
    would (OperationalError: 503, nothing stored). Writers outside it (another
    program, `sqlite3` by hand) still meet busy_timeout at BEGIN IMMEDIATE."""

    TIMEOUT_S = 30.0
    POLL_S = 0.0005

    def __init__(self, database: str | None):
        in_file = database and database != ":memory:" and not database.startswith("file:")
        self.path = database + "-gate" if in_file else None
        self._local = threading.Lock()
        self._held: dict[int, int | None] = {}  # id(DBAPI connection) → its flock's file descriptor

    def enter(self, dbapi_connection) -> None:
        key = id(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))
        if key in self._held:
            return
        deadline = time.monotonic() + self.TIMEOUT_S
        if not self._local.acquire(timeout=self.TIMEOUT_S):
            raise _not_obtained()
        try:
            self._held[key] = self._flock(deadline) if self.path else None
        except BaseException:
            self._local.release()
            raise

    def leave(self, dbapi_connection) -> None:
        key = id(getattr(dbapi_connection, "dbapi_connection", dbapi_connection))
        if key not in self._held:
            return
        fd = self._held.pop(key)
        try:
            if fd is not None:
                os.close(fd)  # releases the flock
        finally:
            self._local.release()

    def _flock(self, deadline: float) -> int:
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    return fd
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise _not_obtained()
                    time.sleep(self.POLL_S)
        except BaseException:
            os.close(fd)
            raise


def _not_obtained() -> OperationalError:
    return OperationalError("BEGIN IMMEDIATE", None,
                            sqlite3.OperationalError("database is locked (writers' gate not obtained in time)"))


def _owner_only(path: str | None) -> None:
    """chmod 0600 the SQLite file and its WAL and shared-memory files where they exist
    (SQLite creates them with the process's umask, usually world-readable)."""
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    for name in (path, path + "-wal", path + "-shm", path + "-gate"):
        try:
            if os.stat(name).st_mode & 0o077:
                os.chmod(name, 0o600)
        except OSError:  # not there (yet), or not ours: nothing to tighten
            pass
