"""The per-process hub: one poll per watched meeting, waking every waiting stream."""
import threading

from sqlalchemy import event

from tests.ballots.sitting import Sitting, release_database
from voting.extensions import db
from voting.live.hub import Hub, hub_for


def _select_counter(app):
    counted = []

    def count(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("SELECT"):
            counted.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    return counted, lambda: event.remove(engine, "before_cursor_execute", count)


def test_poll_once_sees_changes_and_only_changes(app, api, staff):
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    hub = Hub(app, autostart=False)
    with hub.watch(mid):
        release_database()
        assert hub.poll_once() == {mid}
        first = hub.current(mid)
        assert first.snapshot["present"] == 0
        assert hub.poll_once() == set()
        s.check_in([0])
        release_database()
        assert hub.poll_once() == {mid}
        assert hub.current(mid).snapshot["present"] == 1
        assert hub.current(mid).version != first.version
    assert hub.poll_once() == set() and hub.current(mid) is None  # nobody watches: forgotten


def test_one_query_per_meeting_however_many_listen(app, api, staff):
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    hub = Hub(app, autostart=False)
    watchers = [hub.watch(mid) for _ in range(200)]
    for watcher in watchers:
        watcher.__enter__()
    try:
        release_database()
        hub.poll_once()  # the first poll also builds the snapshot
        counted, stop = _select_counter(app)
        try:
            hub.poll_once()
        finally:
            stop()
        assert len(counted) == 1, counted
        assert hub.listener_count(mid) == 200
    finally:
        for watcher in watchers:
            watcher.__exit__(None, None, None)
    assert hub.listener_count(mid) == 0


def test_waiting_streams_wake_on_change(app, api, staff):
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    hub = Hub(app, autostart=False)
    with hub.watch(mid):
        release_database()
        hub.poll_once()
        seen = hub.current(mid).version
        woken = []
        waiting = threading.Barrier(4)

        def wait():
            waiting.wait(timeout=10)
            woken.append(hub.wait_for_change(mid, seen, timeout=30))

        threads = [threading.Thread(target=wait) for _ in range(3)]
        for thread in threads:
            thread.start()
        waiting.wait(timeout=10)
        s.check_in([1])
        release_database()
        assert hub.poll_once() == {mid}
        for thread in threads:
            thread.join(timeout=30)
        assert len(woken) == 3
        assert all(entry.version != seen and entry.snapshot["present"] == 1 for entry in woken)


def test_wait_times_out_without_change(app, api, staff):
    s = Sitting(api, staff, size=1)
    hub = Hub(app, autostart=False)
    with hub.watch(int(s.mid)):
        release_database()
        hub.poll_once()
        entry = hub.current(int(s.mid))
        assert hub.wait_for_change(int(s.mid), entry.version, timeout=0) is entry


def test_a_change_through_another_process_is_seen(make_app, app, api, staff):
    """Two app objects stand for two worker processes: each has its own hub and
    engine; the database is the only thing they share."""
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    other = make_app()
    other_hub = hub_for(other)
    assert other_hub is not hub_for(app) and hub_for(other) is other_hub
    other_hub.autostart = False
    with other_hub.watch(mid):
        release_database()
        other_hub.poll_once()
        before = other_hub.current(mid)
        s.check_in([2])  # written through the first app
        release_database()
        assert other_hub.poll_once() == {mid}
        assert other_hub.current(mid).snapshot["present"] == before.snapshot["present"] + 1


def test_the_thread_runs_only_while_someone_listens(app, api, staff):
    s = Sitting(api, staff, size=1)
    release_database()
    hub = Hub(app, poll_seconds=0.05)
    with hub.watch(int(s.mid)):
        assert hub.running
        thread = hub._thread
        # the thread polls by itself: wait for its first snapshot (no fixed sleep)
        assert hub.wait_for_change(int(s.mid), None, timeout=30) is not None
    thread.join(timeout=30)
    assert not thread.is_alive() and not hub.running


def test_a_change_a_request_reads_first_wakes_the_streams_at_once(app, api, staff):
    """A request that changed the meeting (a timer it swept) forgets the cached entry and
    reads the new one itself (Hub.snapshot). Waiting streams, tablets (state only) and
    screens, wake then, not at their next heartbeat: the hub's own next poll finds
    nothing new to announce."""
    s = Sitting(api, staff, size=3)
    mid = int(s.mid)
    s.check_in([0, 1, 2])
    ballot = s.ballot(items=2, seats=1)
    hub = Hub(app, autostart=False)
    with hub.watch(mid):
        release_database()
        hub.poll_once()
        seen = hub.current(mid)
        woken = {}
        waiting = threading.Barrier(3)

        def wait(state_only):
            waiting.wait(timeout=10)
            key = seen.state_version if state_only else seen.version
            woken[state_only] = hub.wait_for_change(mid, key, timeout=120, state_only=state_only)

        threads = [threading.Thread(target=wait, args=(state_only,)) for state_only in (False, True)]
        for thread in threads:
            thread.start()
        waiting.wait(timeout=10)
        s.act(ballot["id"], "open")
        release_database()
        with app.app_context():
            hub.forget(mid)
            fresh = hub.snapshot(mid)
        for thread in threads:
            thread.join(timeout=20)  # far less than the waits' 120 s: only a wake-up ends them in time
        assert not any(thread.is_alive() for thread in threads)
        assert woken[False].version == fresh.version != seen.version
        assert woken[True].state_version == fresh.state_version != seen.state_version
        assert hub.poll_once() == set()  # the hub itself has nothing new to say
