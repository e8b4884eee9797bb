"""GET /api/v1/meetings/<mid>/live and /events: access, payload, stream framing."""
import json
import random

import pytest

from tests.factories import assert_refused, gen_body, gen_user
from tests.ballots.sitting import Sitting, release_database
from voting.extensions import db
from voting.live import screen
from voting.live.api import stream_lifetime
from voting.live.hub import hub_for
from voting.meetings.models import Meeting


def _events(text: str) -> list[dict]:
    return [json.loads(line[len("data: "):]) for line in text.splitlines() if line.startswith("data: ")]


def test_live_snapshot_for_staff_deputy_and_screen(api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in([0])
    for token in (s.secretariat, api.token(staff["leader"].username), api.token(staff["teller"].username), s.token(0)):
        response = api.get(f"/api/v1/meetings/{s.mid}/live", token)
        assert response.status_code == 200, response.get_json()
        assert response.get_json()["present"] == 1
    meeting = db.session.get(Meeting, int(s.mid))
    token = screen.rotate_screen_token(meeting)
    assert api.get(f"/api/v1/meetings/{s.mid}/live?screen={token}").status_code == 200


@pytest.mark.parametrize("case, status", [("nobody", 401), ("station", 403), ("other_body", 404),
                                          ("bad_screen", 401), ("other_deputy", 404), ("unknown", 404)])
def test_live_access_is_refused(api, staff, case, status):
    s = Sitting(api, staff, size=2)
    other = Sitting(api, staff, size=1, name="另一次会议")
    path, token = f"/api/v1/meetings/{s.mid}/live", None
    if case == "station":
        token = api.token(staff["station"].username)
    elif case == "other_body":
        token = api.token(gen_user("secretariat", gen_body()).username)
    elif case == "bad_screen":
        screen.rotate_screen_token(db.session.get(Meeting, int(s.mid)))
        path += "?screen=wrong"
    elif case == "other_deputy":
        token = other.token(0)
    elif case == "unknown":
        token, path = s.secretariat, "/api/v1/meetings/987654/live"
    response = api.get(path, token)
    assert response.status_code == status
    assert "error" in response.get_json()


def test_parent_body_reads_child_meetings_live(api, staff, body):
    child = gen_body(parent=body)
    child_secretariat = gen_user("secretariat", child)
    s = Sitting(api, {"secretariat": child_secretariat}, size=1)
    leader = api.token(staff["leader"].username)  # the parent body's leader
    assert api.get(f"/api/v1/meetings/{s.mid}/live", leader).status_code == 200


def test_stream_sends_retry_and_the_snapshot_then_ends(make_app, api, staff):
    s = Sitting(api, staff, size=2)
    release_database()
    short = make_app(LIVE_STREAM_SECONDS=0)
    client = short.test_client()
    token = api.token(staff["leader"].username)
    response = client.get(f"/api/v1/meetings/{s.mid}/events", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200
    assert response.mimetype == "text/event-stream"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("retry: 1000\n\n")
    events = _events(text)
    assert len(events) == 1 and events[0]["meeting"]["id"] == s.mid and events[0]["total"] == 2
    assert f"id: {events[0]['version']}\n" in text
    # a reconnect that already has this version gets no duplicate
    again = client.get(f"/api/v1/meetings/{s.mid}/events",
                       headers={"Authorization": f"Bearer {token}", "Last-Event-ID": events[0]["version"]})
    assert _events(again.get_data(as_text=True)) == []


def test_streams_opened_together_do_not_all_end_together():
    rng = random.Random(11)
    lifetimes = [stream_lifetime(60.0, rng) for _ in range(650)]
    assert all(45.0 <= t <= 75.0 for t in lifetimes)
    # a hall that connected in one second reconnects spread over the range, not at once
    per_second = {}
    for t in lifetimes:
        per_second[int(t)] = per_second.get(int(t), 0) + 1
    assert len(per_second) >= 25 and max(per_second.values()) <= 60
    assert stream_lifetime(0.0, rng) == 0.0


def test_stream_pushes_each_change(make_app, api, staff):
    s = Sitting(api, staff, size=3)
    release_database()
    streaming = make_app(LIVE_STREAM_SECONDS=120)
    hub = hub_for(streaming)
    hub.autostart = False  # this test polls by hand
    client = streaming.test_client()
    meeting = db.session.get(Meeting, int(s.mid))
    token = screen.rotate_screen_token(meeting)
    release_database()
    response = client.get(f"/api/v1/meetings/{s.mid}/events?screen={token}", buffered=False)
    chunks = iter(response.response)
    try:
        assert next(chunks).decode().startswith("retry:")
        first = _events(next(chunks).decode())[0]
        assert first["present"] == 0
        s.check_in([0])
        ballot = s.ballot()
        s.check_in([1])
        release_database()
        assert hub.poll_once() == {int(s.mid)}
        second = _events(next(chunks).decode())[0]
        assert second["present"] == 2 and second["version"] != first["version"]
        s.act(ballot["id"], "open")
        release_database()
        hub.poll_once()
        third = _events(next(chunks).decode())[0]
        assert [b["state"] for b in third["ballots"]] == ["open"]
        assert hub.listener_count(int(s.mid)) == 1
    finally:
        response.close()
    assert hub.listener_count(int(s.mid)) == 0


def test_stream_of_a_revoked_card_session_is_refused(client, api, staff):
    s = Sitting(api, staff, size=1)
    assert client.get(f"/card/{s.deputies[0]['card']}").status_code == 302
    assert client.get(f"/api/v1/meetings/{s.mid}/live").status_code == 200
    api.post(f"/api/v1/meetings/{s.mid}/deputies/{s.deputies[0]['id']}/card", s.secretariat)
    response = client.get(f"/api/v1/meetings/{s.mid}/events")
    # The session loader no longer accepts the old card's session: the caller is signed out.
    assert_refused(response, 401, "unauthorized")
    assert response.get_json()["error"]["code"] in ("unauthorized", "card_revoked")


def test_live_endpoints_are_in_the_openapi_document(client):
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    live = paths["/meetings/{mid}/live"]["get"]
    assert set(live["responses"]["200"]["content"]["application/json"]["schema"]["required"]) == {
        "version", "meeting", "total", "present", "required", "quorum_met", "ballots"}
    events = paths["/meetings/{mid}/events"]["get"]
    assert "text/event-stream" in events["responses"]["200"]["content"]
    assert any(p["name"] == "screen" for p in events["parameters"])


def test_a_tablet_stream_sends_openings_and_closings_not_every_cast(make_app, api, staff):
    """During a burst of casts every change of progress goes to screens and consoles;
    a tablet acts only on ballots opening and closing, so its stream sleeps through the
    burst (hundreds of tablets are not woken at each cast) and wakes at the close."""
    s = Sitting(api, staff, size=3)
    s.check_in([0, 1, 2])
    ballot = s.ballot(kind="motion", items=1)
    release_database()
    # A short heartbeat: a stream with nothing to send answers with a keep-alive comment.
    streaming = make_app(LIVE_STREAM_SECONDS=120, LIVE_HEARTBEAT_SECONDS=0.2)
    hub = hub_for(streaming)
    hub.autostart = False  # this test polls by hand
    meeting = db.session.get(Meeting, int(s.mid))
    token = screen.rotate_screen_token(meeting)
    deputy_token = s.token(0)
    release_database()
    client = streaming.test_client()
    tablet = client.get(f"/api/v1/meetings/{s.mid}/events", headers={"Authorization": f"Bearer {deputy_token}"},
                        buffered=False)
    hall = client.get(f"/api/v1/meetings/{s.mid}/events?screen={token}", buffered=False)
    tablet_chunks, hall_chunks = iter(tablet.response), iter(hall.response)
    try:
        for chunks in (tablet_chunks, hall_chunks):
            assert next(chunks).decode().startswith("retry:")
            assert _events(next(chunks).decode())[0]["ballots"] == []  # a draft is not shown
        s.act(ballot["id"], "open")
        release_database()
        hub.poll_once()
        for chunks in (tablet_chunks, hall_chunks):
            assert [b["state"] for b in _events(next(chunks).decode())[0]["ballots"]] == ["open"]
        item = ballot["items"][0]["id"]
        assert s.vote(1, ballot["id"], {item: "yes"}).status_code == 201
        release_database()
        assert hub.poll_once() == {int(s.mid)}
        assert _events(next(hall_chunks).decode())[0]["ballots"][0]["cast"] == 1
        # The tablet's stream has nothing to send for a progress-only change: only its keep-alive.
        assert next(tablet_chunks).decode() == ": keep-alive\n\n"
        s.act(ballot["id"], "close")
        release_database()
        hub.poll_once()
        closed = _events(next(tablet_chunks).decode())[0]
        assert closed["ballots"][0]["state"] == "closed" and closed["ballots"][0]["cast"] == 1
        assert _events(next(hall_chunks).decode())[0]["ballots"][0]["state"] == "closed"
    finally:
        tablet.close()
        hall.close()
