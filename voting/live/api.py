"""GET /api/v1/meetings/<mid>/events (Server-Sent Events) and /live (JSON snapshot).

A stream sends the snapshot at once (unless the client's Last-Event-ID says it has
it), then again whenever the process's hub sees the meeting change, a comment line
every 15 s, and ends after about a minute: EventSource reconnects by itself
(`retry: 1000`), so a stream never outlives a restart or a revoked token for long,
and a gthread worker's thread is lent, not given. While it streams it holds no
database connection. Each stream's minute is drawn between 45 and 75 s, so that a
hall of tablets that connected in the same second does not reconnect in the same
second ever after (a storm of logins and snapshots in the middle of a vote).
"""
import random
import time

from flask import Response, current_app, jsonify, request

from voting.accounts.permissions import current_principal
from voting.api.blueprint import bp
from voting.ballots import timers
from voting.errors import Refusal
from voting.api.openapi import PATHS, document
from voting.extensions import db
from voting.live.access import live_meeting
from voting.live.hub import Entry, hub_for

RETRY_MILLISECONDS = 1000
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 60.0
# A stream lasts STREAM_SECONDS × a factor drawn from this range (see the module's text).
LIFETIME_SPREAD = (0.75, 1.25)


def _screen_token() -> str | None:
    return request.args.get("screen")


def _entry_or_404(entry: Entry) -> Entry:
    if entry.snapshot is None:  # deleted between the check and the read
        raise Refusal(404, "not_found", "未找到该会议。")
    return entry


@bp.get("/meetings/<mid>/live")
def meeting_live(mid):
    meeting = live_meeting(mid, screen_token=_screen_token())
    hub = hub_for(current_app._get_current_object())
    if timers.sweep_timers(timers.clock(), meeting_ids=[meeting.id]):  # a countdown that reached zero asks here
        hub.forget(meeting.id)
    hub.touch(meeting.id)
    return jsonify(_entry_or_404(hub.snapshot(meeting.id)).snapshot)


def stream_lifetime(configured: float, rng=random) -> float:
    """How long one stream lasts: the configured mean, spread so that reconnections
    of streams opened together drift apart."""
    low, high = LIFETIME_SPREAD
    return configured * rng.uniform(low, high)


def _event(entry: Entry) -> str:
    return f"id: {entry.version}\ndata: {entry.text}\n\n"


@bp.get("/meetings/<mid>/events")
def meeting_events(mid):
    meeting = live_meeting(mid, screen_token=_screen_token())
    app = current_app._get_current_object()
    hub = hub_for(app)
    meeting_id = meeting.id
    # A tablet acts only on ballots opening and closing: its stream sends the snapshot
    # when that changes, not at every cast of a burst (screens and consoles get progress).
    principal = None if _screen_token() is not None else current_principal()
    state_only = principal is not None and principal.is_deputy
    first = _entry_or_404(hub.snapshot(meeting_id))
    db.session.close()  # hold no connection for the minute this stream lasts
    known = request.headers.get("Last-Event-ID")
    lifetime = stream_lifetime(float(app.config.get("LIVE_STREAM_SECONDS", STREAM_SECONDS)))
    heartbeat = float(app.config.get("LIVE_HEARTBEAT_SECONDS", HEARTBEAT_SECONDS))

    def stream():
        with hub.watch(meeting_id):
            ends_at = time.monotonic() + lifetime
            yield f"retry: {RETRY_MILLISECONDS}\n\n"
            sent = known
            sent_state = first.state_version
            if first.version != known:
                yield _event(first)
                sent = first.version
            beat_at = time.monotonic() + heartbeat
            while True:
                now = time.monotonic()
                if now >= ends_at:
                    return
                entry = hub.wait_for_change(meeting_id, sent_state if state_only else sent,
                                            timeout=min(beat_at, ends_at) - now, state_only=state_only)
                moved = entry is not None and (entry.state_version != sent_state if state_only
                                               else entry.version != sent)
                if moved:
                    if entry.snapshot is None:  # the meeting is gone
                        return
                    yield _event(entry)
                    sent, sent_state = entry.version, entry.state_version
                elif time.monotonic() >= beat_at:
                    yield ": keep-alive\n\n"
                    beat_at = time.monotonic() + heartbeat

    response = Response(stream(), mimetype="text/event-stream")
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Accel-Buffering"] = "no"  # a proxy in front must not buffer the stream
    return response


SNAPSHOT = {
    "type": "object",
    "required": ["version", "meeting", "total", "present", "required", "quorum_met", "ballots"],
    "properties": {
        "version": {"type": "string", "description": "状态指纹：内容变化时改变，各进程相同"},
        "meeting": {"type": "object", "required": ["id", "name"], "properties": {
            "id": {"type": "string"}, "name": {"type": "string"}, "closed": {"type": "boolean"}}},
        "total": {"type": "integer"}, "present": {"type": "integer"}, "required": {"type": "integer"},
        "quorum_met": {"type": "boolean"},
        "on_leave": {"type": "integer", "description": "请假人数"}, "left": {"type": "integer", "description": "中途退场人数"},
        "timer_expiry": {"type": "string", "enum": ["close", "ask"]},
        "ballots": {"type": "array", "description": "草稿以外的表决；投票中只有进度，没有任何选择的票数",
                    "items": {"type": "object", "required": ["id", "title", "kind", "state", "round", "issued", "cast"],
                              "properties": {"id": {"type": "string"}, "title": {"type": "string"},
                                             "kind": {"type": "string"}, "state": {"type": "string"},
                                             "round": {"type": "integer"}, "issued": {"type": "integer"},
                                             "cast": {"type": "integer"}, "rehearsal": {"type": "boolean"},
                                             "secret": {"type": "boolean"},
                                             "deadline": {"type": "string", "nullable": True},
                                             "timer_expired": {"type": "boolean"}}}},
    },
}
SCREEN_PARAMETER = {"name": "screen", "in": "query", "required": False, "schema": {"type": "string"},
                    "description": "大屏令牌（大屏无需登录）；也可用令牌或网页登录"}

document("/meetings/{mid}/live", "get",
         summary="会议实况快照：出席、法定人数、各表决的状态与进度（代表、工作人员或大屏令牌）",
         parameters=[SCREEN_PARAMETER], responses={200: ("实况快照", SNAPSHOT)})
document("/meetings/{mid}/events", "get",
         summary="会议实况推送（text/event-stream）：连接后立即发送快照，变化时再发送，每15秒一行注释保活，"
                 "约60秒（45至75秒之间随机）后结束由浏览器自动重连（retry: 1000）",
         parameters=[SCREEN_PARAMETER], responses={200: ("事件流，每个事件的 data 为实况快照", None)})
PATHS["/meetings/{mid}/events"]["get"]["responses"]["200"]["content"] = {
    # Each server-sent event: `data` is the JSON snapshot above, `id` its version.
    "text/event-stream": {"schema": {"type": "object", "properties": {
        "data": {"type": "string"}, "event": {"type": "string"}, "id": {"type": "string"},
        "retry": {"type": "integer"}}}}}
