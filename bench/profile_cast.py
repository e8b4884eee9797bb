"""Profile the cast path in-process (Flask test client, no HTTP):

    python -m bench.profile_cast [N] [sqlite|postgres] [plain|tellers] [ROWS]

Prints the cProfile of N casts, sorted by cumulative time (PROFILE=0: only the time
per cast, without cProfile's cost; CALLEES=regex: also the callees of the functions
matching it). `tellers`: the meeting has three tellers (2 of 3,
key made by voting.teller devices), every cast is encrypted and proved beforehand as its
tablet would (not profiled) and checked as `make serve` does (CAST_CHECK=queued: the
request checks its form and stores it)."""
import cProfile
import json
import os
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.client import CANDIDATES, SEATS, plan_for


def main(n: int = 60, kind: str = "sqlite", mode: str = "plain") -> None:
    from voting import create_app
    from voting.accounts.services import create_or_update_user, ensure_top_body
    from voting.extensions import db
    from voting.integrity import keys

    workdir = Path(tempfile.mkdtemp(prefix="voting-bench-profile-"))
    url = f"sqlite:///{workdir / 'p.sqlite'}"
    schema = None
    if kind == "postgres":
        from bench.server import Database

        database = Database("postgres", workdir)
        url, schema = database.url, database
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "KEY_DIR": str(workdir), "SECRET_KEY": "p",
                      "RATELIMIT_ENABLED": False, "CAST_CHECK": "queued" if mode == "tellers" else "inline"})
    with app.app_context():
        db.create_all()
        keys.ensure_keys()
        body, _ = ensure_top_body("剖析", "county")
        create_or_update_user("sec", "secretariat", "profile-password-1", body=body)
        tellers = [create_or_update_user(f"teller{i}", "teller", "profile-password-1", body=body)[0].id
                   for i in range(3)]
        db.session.commit()
    client = app.test_client()

    def call(method, path, token=None, **kw):
        headers = kw.pop("headers", {})
        if token:
            headers["Authorization"] = f"Bearer {token}"
        response = client.open(path, method=method, headers=headers, **kw)
        assert response.status_code in (200, 201), (path, response.status_code, response.get_data(as_text=True))
        return response.get_json()

    staff = call("POST", "/api/v1/auth/token", json={"username": "sec", "password": "profile-password-1"})["token"]
    mid = call("POST", "/api/v1/meetings", staff, json={"name": "剖析会议"})["id"]
    deputies = call("POST", f"/api/v1/meetings/{mid}/deputies", staff, json={"deputies": [
        {"name": f"代表{i}", "number": f"{i:04d}"} for i in range(n)]})["deputies"]
    tokens = [call("POST", "/api/v1/auth/token", json={"card": d["card"]})["token"] for d in deputies]
    for token in tokens:
        call("POST", f"/api/v1/meetings/{mid}/checkin", token)
    if mode == "tellers":
        _make_tellers_key(call, staff, mid, tellers)
    ballot = call("POST", f"/api/v1/meetings/{mid}/ballots", staff, json={
        "kind": "selection", "title": "剖析", "seats": SEATS,
        "items": [{"title": f"候选{i}"} for i in range(CANDIDATES)]})
    opened = call("POST", f"/api/v1/ballots/{ballot['id']}/open", staff)
    item_ids = [item["id"] for item in ballot["items"]]
    bodies = [_body(opened, plan_for(i, item_ids), mode) for i in range(n)]
    profile = cProfile.Profile()
    started = time.monotonic()
    profiling = os.environ.get("PROFILE", "1") != "0"
    if profiling:
        profile.enable()
    for token, data in zip(tokens, bodies):
        call("POST", f"/api/v1/ballots/{ballot['id']}/votes", token, data=data, content_type="application/json",
             headers={"Idempotency-Key": uuid.uuid4().hex})
    if profiling:
        profile.disable()
    elapsed = time.monotonic() - started
    print(f"{n} {mode} casts in {elapsed:.2f} s: {1000 * elapsed / n:.1f} ms per cast (one thread, {kind})")
    if profiling:
        stats = pstats.Stats(profile).sort_stats("cumulative")
        stats.print_stats(*([int(a) for a in sys.argv[4:]] or [40]))
        if os.environ.get("CALLEES"):
            stats.print_callees(os.environ["CALLEES"])
    if schema is not None:
        with app.app_context():
            db.engine.dispose()
        schema.drop()


def _make_tellers_key(call, staff, mid, teller_ids) -> None:
    from voting.teller import TellerDevice

    call("POST", f"/api/v1/meetings/{mid}/tellers", staff, json={"tellers": [str(i) for i in teller_ids],
                                                                 "threshold": 2})
    devices = []
    for i in range(len(teller_ids)):
        token = call("POST", "/api/v1/auth/token", json={"username": f"teller{i}", "password": "profile-password-1"})
        devices.append(TellerDevice(lambda method, path, body, t=token["token"]: (
            200, call(method, "/api/v1" + path, t, json=body)), {}))
    for step in ("join", "deal", "confirm"):
        for device in devices:
            getattr(device, step)(*([mid] if step == "join" else []))


def _body(opened: dict, choices: dict, mode: str) -> bytes:
    """The request body a tablet sends: plain choices, or its cast encrypted and proved."""
    if mode != "tellers":
        return json.dumps({"choices": choices}).encode()
    from voting.crypto import group
    from voting.crypto.ballot import Shape, encrypt_ballot

    enc = opened["encryption"]
    completed = {item: choices.get(item, "abstain") for item in enc["items"]}
    encrypted = encrypt_ballot(group.point_from_hex(enc["joint_key"]), Shape.from_encryption(opened["id"], enc),
                               completed)
    return json.dumps({"encrypted": encrypted}).encode()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60, sys.argv[2] if len(sys.argv) > 2 else "sqlite",
         sys.argv[3] if len(sys.argv) > 3 else "plain")
