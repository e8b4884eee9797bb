"""A hall under tellers (issue #17): the load run of `bench/scenarios.py` with a 2-of-3
tellers' key made by three teller devices (voting.teller over HTTP) and every deputy's
cast encrypted and proved beforehand, as its tablet would (not timed: the tablet's own
time is measured in Chromium by bench/tellers.py), every tablet holding its live stream open
as in the plain load run. Timed: the casts, all at once and then
spread over a hall's window, with the proofs checked as gunicorn.conf.py sets it
(CAST_CHECK=queued: by checker processes beside the workers; the time until none is
pending after the last cast is measured); then close, two tellers' decryption shares and
the tally checked against what was sent.

    python -m bench --only tellers-hall [--db sqlite,postgres] [--sizes 650]
"""
import asyncio
import json
import time
from concurrent.futures import ProcessPoolExecutor

from bench.client import Hall, expected_counts, plan_for, summarize_burst
from bench.scenarios import SECRETARIAT, measured, new_deployment, threads_for
from bench.server import PASSWORD, Server


def _encrypted(args):
    ballot_id, enc, choices = args
    from voting.crypto import group
    from voting.crypto.ballot import Shape, encrypt_ballot

    shape = Shape.from_encryption(ballot_id, enc)
    return json.dumps({"encrypted": encrypt_ballot(group.point_from_hex(enc["joint_key"]), shape,
                                                   {item: choices.get(item, "abstain") for item in enc["items"]})}).encode()


def encrypt_all(ballot: dict, plans: dict) -> dict:
    jobs = [(ballot["id"], ballot["encryption"], plans[i]) for i in sorted(plans)]
    with ProcessPoolExecutor(max_workers=2) as pool:
        return dict(zip(sorted(plans), pool.map(_encrypted, jobs, chunksize=16)))


def make_key(base: str, mid: str, usernames: list[str]):
    from voting.teller import TellerDevice, _token, http_caller

    devices = [TellerDevice(http_caller(base, _token(base, name, PASSWORD)), {}) for name in usernames]
    for step in ("join", "deal", "confirm"):
        for device in devices:
            getattr(device, step)(*([mid] if step == "join" else []))
    return devices


async def timed_ballot(hall: Hall, server, devices, title: str, window_s: float, seed: int,
                       checks_deadline_s: float = 600) -> dict:
    ballot = await hall.open_ballot(title)
    item_ids = [item["id"] for item in ballot["items"]]
    plans = {i: plan_for(seed * 100003 + i, item_ids) for i in range(hall.size)}
    prepared = time.monotonic()
    hall.bodies = await asyncio.to_thread(encrypt_all, ballot, plans)
    prepare_s = time.monotonic() - prepared
    (results, _), usage = await measured([server], _burst_with(hall, ballot, plans, window_s))
    figures = {"window_s": window_s, "encrypting_beforehand_s": round(prepare_s, 1), **summarize_burst(results), **usage}
    figures["checks"] = await checks_done(hall, ballot["id"], checks_deadline_s)
    accepted = [plans[r["index"]] for r in results if r["status"] in (200, 201)]
    began = time.monotonic()
    await hall.staff("POST", f"/api/v1/ballots/{ballot['id']}/close")
    figures["close_s"] = round(time.monotonic() - began, 2)
    await asyncio.to_thread(devices[0].decrypt, ballot["id"])
    began = time.monotonic()
    await asyncio.to_thread(devices[2].decrypt, ballot["id"])
    figures["kth_share_s"] = round(time.monotonic() - began, 2)
    tally = await hall.staff("GET", f"/api/v1/ballots/{ballot['id']}/tally")
    counted = {item["id"]: {k: item["counts"].get(k, 0) for k in ("yes", "no", "abstain")} for item in tally["items"]}
    figures["check"] = {"tally_matches_accepted": tally["cast"] == len(accepted),
                        "counts_match_plans": counted == expected_counts(accepted, item_ids),
                        "device_casts": tally["encryption"]["encrypted_on_device"]}
    hall.bodies = None
    return figures


async def checks_done(hall: Hall, bid: str, deadline_s: float = 600) -> dict:
    """After the last cast was answered: how long until the checker processes have
    checked every cast's proofs (GET /ballots/<bid>/checks shows none pending)."""
    began = time.monotonic()
    first = state = await hall.staff("GET", f"/api/v1/ballots/{bid}/checks")
    while state["pending"] and time.monotonic() - began < deadline_s:
        await asyncio.sleep(0.05)  # polling the server's own count: the event is its answer
        state = await hall.staff("GET", f"/api/v1/ballots/{bid}/checks")
    return {"mode": state["mode"], "pending_at_last_cast": first["pending"], "pending_left": state["pending"],
            "valid": state["valid"], "failed": state["failed"],
            "all_checked_after_last_cast_s": round(time.monotonic() - began, 2)}


async def _burst_with(hall: Hall, ballot: dict, plans: dict, window_s: float):
    import random
    import uuid

    rng = random.Random(7)
    now = time.monotonic() + 0.2
    starts = {i: now + (rng.random() * window_s if window_s else 0) for i in plans}
    results = await asyncio.gather(*(hall.cast(i, ballot, uuid.uuid4().hex, plans[i], starts[i],
                                               time.monotonic() + 180) for i in plans))
    return results, plans


async def tellers_hall_run(kind: str, n: int, *, workers: int = 4, paced_window: float = 20.0,
                           checks_deadline_s: float = 600) -> tuple[dict, list]:
    deployment = new_deployment(kind)
    tellers = [f"bench-teller{i}" for i in (1, 2, 3)]
    deployment.python("\n".join(
        ["runner = app.test_cli_runner()"] +
        [f"r = runner.invoke(args=['create-user', {name!r}, '--role', 'teller', '--password', {PASSWORD!r}])\n"
         "assert r.exit_code == 0, r.output" for name in tellers]))
    server = Server(deployment, workers=workers, threads=threads_for(n, workers), worker_connections=threads_for(n, workers))
    server.start()
    hall = Hall([server.url], n, name=f"监票人密钥{n}人大会", secretariat=SECRETARIAT)
    figures: dict = {"db": kind, "n": n, "workers": workers}
    try:
        figures.update(await hall.setup())
        ids = await asyncio.to_thread(deployment.python, "from voting.accounts.models import User\n"
                                      f"print(','.join(str(u.id) for u in User.query.filter(User.username.in_({tellers!r})).order_by(User.username)))")
        await hall.staff("POST", f"/api/v1/meetings/{hall.mid}/tellers",
                         json={"tellers": ids.strip().splitlines()[-1].split(","), "threshold": 2})
        devices = await asyncio.to_thread(make_key, server.url, hall.mid, tellers)
        # Every tablet holds its live stream open through the sitting, as in the plain load run.
        figures.update(await hall.start_streams(deadline_s=1800))
        figures["at_once"] = await timed_ballot(hall, server, devices, "监票人密钥：全部代表同时投票", 0, 1,
                                                checks_deadline_s)
        figures["paced"] = await timed_ballot(hall, server, devices, "监票人密钥：按会场节奏投票", paced_window, 2,
                                              checks_deadline_s)
    finally:
        await hall.aclose()
        server.stop()
    deployment.drop()
    name = f"tellers {kind} N={n}"
    targets = []
    for key, label in (("at_once", "all at once"), ("paced", f"spread over {paced_window:g} s")):
        run = figures[key]
        ok = run["accepted"] == n and run["check"]["tally_matches_accepted"] and run["check"]["counts_match_plans"]
        targets.append((f"{name}: every encrypted cast accepted and counted ({label})", ok,
                        f"{run['accepted']}/{n}, {run['throughput_per_s']}/s, p99 {run['p99_ms']} ms"))
    targets.append((f"{name}: cast p99 ≤ 300 ms at a hall's pace", figures["paced"]["p99_ms"] <= 300,
                    f"p99 {figures['paced']['p99_ms']} ms"))
    for key, label in (("at_once", "all at once"), ("paced", f"spread over {paced_window:g} s")):
        checks = figures[key]["checks"]
        targets.append((f"{name}: every proof checked ≤ 10 s after the last cast ({label})",
                        not checks["pending_left"] and checks["all_checked_after_last_cast_s"] <= 10,
                        f"{checks['all_checked_after_last_cast_s']} s ({checks['pending_at_last_cast']} pending "
                        f"at the last cast, {checks['mode']})"))
    return figures, targets
