"""One hub per process: a single background thread that polls the database for the
meetings somebody is watching and wakes the streams waiting on them.

However many tablets listen in a process, the database sees one fingerprint query
per watched meeting every `LIVE_POLL_SECONDS` (0.3 s), and each change builds one
snapshot that every stream of that meeting sends as it is. The thread starts with
the first listener and ends when nobody listens any more, so idle processes (and
test apps) keep no thread. Nothing here is shared between processes: each process
reads the database, which is the only shared state.
"""
import contextlib
import hashlib
import json
import logging
import threading
import time
from collections import Counter
from dataclasses import dataclass, field

from voting.database import write_intent
from voting.extensions import db
from voting.live.snapshot import build_snapshot, fingerprint, version_of

log = logging.getLogger(__name__)

DEFAULT_POLL_SECONDS = 0.3
# A JSON poller (`/live`) keeps its meeting watched this long after its last request.
TOUCH_SECONDS = 10.0

_hubs_lock = threading.Lock()


def state_version_of(snapshot: dict | None) -> str | None:
    """What a tablet acts on: the meeting open or closed and each ballot's state, not
    the attendance or the progress counts, which change with every cast of a burst."""
    if snapshot is None:
        return None
    states = [(b["id"], b["state"], b["round"], b["title"]) for b in snapshot["ballots"]]
    return hashlib.sha256(repr((snapshot["meeting"]["closed"], states)).encode("utf-8")).hexdigest()[:16]


@dataclass
class Entry:
    """The latest known state of one meeting."""

    version: str | None
    snapshot: dict | None
    checked_at: float = field(default_factory=time.monotonic)
    text: str = ""
    state_version: str | None = None

    def __post_init__(self):
        if self.snapshot is not None and not self.text:
            self.text = json.dumps(self.snapshot, ensure_ascii=False, separators=(",", ":"))
        if self.state_version is None:
            self.state_version = state_version_of(self.snapshot)


class Hub:
    def __init__(self, app, *, poll_seconds: float | None = None, autostart: bool = True):
        self.app = app
        self.poll_seconds = poll_seconds or float(app.config.get("LIVE_POLL_SECONDS", DEFAULT_POLL_SECONDS))
        self.autostart = autostart
        # Two conditions on one lock: every stream of staff and screens waits on `_cond`
        # (any change, progress included); tablets wait on `_state_cond`, woken only when a
        # ballot opens or closes, so a burst of casts does not wake hundreds of them.
        lock = threading.Lock()
        self._cond = threading.Condition(lock)
        self._state_cond = threading.Condition(lock)
        self._listeners: Counter = Counter()
        self._touched: dict[int, float] = {}
        self._entries: dict[int, Entry] = {}
        self._thread: threading.Thread | None = None
        self._state_moved: set[int] = set()  # meetings whose state moved in this polling round
        self.polls = 0  # how many polling rounds ran (for tests and diagnostics)

    # --- who is watching ------------------------------------------------------------

    @contextlib.contextmanager
    def watch(self, meeting_id: int):
        """Keep the meeting polled while the block runs (one open stream)."""
        with self._cond:
            self._listeners[meeting_id] += 1
            self._ensure_thread()
        try:
            yield self
        finally:
            with self._cond:
                self._listeners[meeting_id] -= 1
                if self._listeners[meeting_id] <= 0:
                    del self._listeners[meeting_id]

    def touch(self, meeting_id: int) -> None:
        """A JSON poller asked for the meeting: keep it polled for a while."""
        with self._cond:
            self._touched[meeting_id] = time.monotonic() + TOUCH_SECONDS
            self._ensure_thread()

    def forget(self, meeting_id: int) -> None:
        """Drop the cached entry: the caller changed the meeting (a timer acted) and reads afresh."""
        with self._cond:
            self._entries.pop(meeting_id, None)

    def listener_count(self, meeting_id: int | None = None) -> int:
        with self._cond:
            return self._listeners[meeting_id] if meeting_id is not None else sum(self._listeners.values())

    def watched(self) -> list[int]:
        now = time.monotonic()
        with self._cond:
            for meeting_id in [m for m, until in self._touched.items() if until <= now]:
                del self._touched[meeting_id]
            return sorted(set(self._listeners) | set(self._touched))

    # --- polling ----------------------------------------------------------------------

    def poll_once(self) -> set[int]:
        """Check every watched meeting once; returns the meetings whose state changed
        (their new snapshot is stored and every waiting stream is woken)."""
        meetings = self.watched()
        changed: set[int] = set()
        state_changed = False
        if meetings:
            with self.app.app_context():
                try:
                    due = self._read_round(meetings, changed)
                    if due and self._sweep_timers(due):
                        self._read_round(due, changed)  # what the timers did goes out in this round
                finally:
                    db.session.remove()
            state_changed = bool(self._state_moved & changed)
            self._state_moved.clear()
        with self._cond:
            self.polls += 1
            for meeting_id in [m for m in self._entries if m not in meetings]:
                del self._entries[meeting_id]
            if changed:
                self._cond.notify_all()
            if state_changed:
                self._state_cond.notify_all()
        return changed

    def _read_round(self, meetings: list[int], changed: set[int]) -> list[int]:
        """Refresh each meeting (one fingerprint query each); the meetings with a ballot
        whose time has run out, read from the same fingerprint."""
        from voting.ballots.timers import clock  # the ballots domain builds on live's reads

        due = []
        token = write_intent.set(False)  # reads only: never take SQLite's write lock
        try:
            now = None
            for meeting_id in meetings:
                moved, state_moved, deadline = self._refresh(meeting_id)
                if moved:
                    changed.add(meeting_id)
                if state_moved:
                    self._state_moved.add(meeting_id)
                if deadline is not None:
                    now = now or clock()
                    if deadline <= now:
                        due.append(meeting_id)
                db.session.rollback()  # end the read transaction between meetings
        finally:
            write_intent.reset(token)
        return due

    def _sweep_timers(self, meetings: list[int]) -> bool:
        """Close (or flag) the ballots of these meetings whose time ran out: the event
        that drives a timer while anyone watches. Whether anything was done."""
        from voting.ballots.timers import clock, sweep_timers

        try:
            return bool(sweep_timers(clock(), meeting_ids=meetings))
        except Exception:  # a failed sweep must not stop live updates; the next round retries
            log.exception("timer sweep failed")
            db.session.rollback()
            return False

    def _refresh(self, meeting_id: int) -> tuple[bool, bool, object]:
        """(changed at all, changed in what tablets act on, the earliest pending deadline)."""
        row = fingerprint(meeting_id)
        deadline = row[-1] if row is not None else None
        version = version_of(row) if row is not None else None
        with self._cond:
            entry = self._entries.get(meeting_id)
            if entry is not None and entry.version == version:
                entry.checked_at = time.monotonic()
                return False, False, deadline
        snapshot = build_snapshot(meeting_id) if row is not None else None
        # the snapshot may be newer than `row`; its own version is the one to keep
        fresh = Entry(snapshot["version"] if snapshot else None, snapshot)
        with self._cond:
            self._entries[meeting_id] = fresh
        if entry is None:
            return True, True, deadline
        return entry.version != fresh.version, entry.state_version != fresh.state_version, deadline

    # --- reading ------------------------------------------------------------------------

    def current(self, meeting_id: int) -> Entry | None:
        with self._cond:
            return self._entries.get(meeting_id)

    def wait_for_change(self, meeting_id: int, seen_version: str | None, timeout: float, *,
                        state_only: bool = False) -> Entry | None:
        """Block until the meeting's version differs from `seen_version` or `timeout`
        passes; returns the latest entry either way (None if never polled). With
        `state_only`, `seen_version` is a state version and only a ballot opening or
        closing (or the meeting closing) ends the wait."""
        key = "state_version" if state_only else "version"
        condition = self._state_cond if state_only else self._cond

        def changed():
            entry = self._entries.get(meeting_id)
            return entry is not None and getattr(entry, key) != seen_version

        with condition:
            condition.wait_for(changed, timeout=max(timeout, 0))
            return self._entries.get(meeting_id)

    def snapshot(self, meeting_id: int) -> Entry:
        """The meeting's entry, fresh: from the hub when it was checked within the
        last polling round or two, else read now in the caller's session."""
        with self._cond:
            entry = self._entries.get(meeting_id)
            if entry is not None and time.monotonic() - entry.checked_at <= 2 * self.poll_seconds + 0.1:
                return entry
        snapshot = build_snapshot(meeting_id)
        entry = Entry(snapshot["version"] if snapshot else None, snapshot)
        with self._cond:
            known = self._entries.get(meeting_id)
            if known is None or known.checked_at < entry.checked_at:
                self._entries[meeting_id] = entry
                # A change this caller read first (a timer its request swept, say) must wake
                # the streams now: the hub's next poll finds the same version and stays quiet.
                if known is None or known.version != entry.version:
                    self._cond.notify_all()
                if known is None or known.state_version != entry.state_version:
                    self._state_cond.notify_all()
        return entry

    # --- the thread ------------------------------------------------------------------------

    def _ensure_thread(self) -> None:
        """Called with the condition held."""
        if not self.autostart or (self._thread is not None and self._thread.is_alive()):
            return
        self._thread = threading.Thread(target=self._run, name="voting-live-hub", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            with self._cond:
                if not self._listeners and not self._touched:
                    self._thread = None
                    return
            started = time.monotonic()
            try:
                self.poll_once()
            except Exception:  # a database hiccup must not end live updates for the process
                log.exception("live hub poll failed")
            time.sleep(max(self.poll_seconds - (time.monotonic() - started), 0.01))

    @property
    def running(self) -> bool:
        with self._cond:
            return self._thread is not None and self._thread.is_alive()


def hub_for(app) -> Hub:
    """The process's hub for `app` (one per app object, created on first use)."""
    hub = app.extensions.get("voting_live_hub")
    if hub is None:
        with _hubs_lock:
            hub = app.extensions.get("voting_live_hub")
            if hub is None:
                hub = app.extensions["voting_live_hub"] = Hub(app)
    return hub
