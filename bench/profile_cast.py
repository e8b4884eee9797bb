"""Profile the cast path in-process (Flask test client, no HTTP): `python -m bench.profile_cast [N] [sqlite|postgres]`.
Prints the cProfile of N casts, sorted by cumulative time."""
import cProfile
import pstats
import sys
import tempfile
import time
import uuid
from pathlib import Path

from bench.client import CANDIDATES, SEATS, plan_for


def main(n: int = 60, kind: str = "sqlite") -> None:
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
                      "RATELIMIT_ENABLED": False})
    with app.app_context():
        db.create_all()
        keys.ensure_keys()
        body, _ = ensure_top_body("剖析", "county")
        create_or_update_user("sec", "secretariat", "profile-password-1", body=body)
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
    ballot = call("POST", f"/api/v1/meetings/{mid}/ballots", staff, json={
        "kind": "selection", "title": "剖析", "seats": SEATS,
        "items": [{"title": f"候选{i}"} for i in range(CANDIDATES)]})
    call("POST", f"/api/v1/ballots/{ballot['id']}/open", staff)
    item_ids = [item["id"] for item in ballot["items"]]
    profile = cProfile.Profile()
    started = time.monotonic()
    profile.enable()
    for i, token in enumerate(tokens):
        call("POST", f"/api/v1/ballots/{ballot['id']}/votes", token, json={"choices": plan_for(i, item_ids)},
             headers={"Idempotency-Key": uuid.uuid4().hex})
    profile.disable()
    elapsed = time.monotonic() - started
    print(f"{n} casts in {elapsed:.2f} s: {1000 * elapsed / n:.1f} ms per cast (one thread, {kind})")
    pstats.Stats(profile).sort_stats("cumulative").print_stats(*(sys.argv[3:] or [40]))
    if schema is not None:
        with app.app_context():
            db.engine.dispose()
        schema.drop()


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 60, sys.argv[2] if len(sys.argv) > 2 else "sqlite")
