"""The benchmark runs. Each returns a dict of figures and a list of (target, passed, detail)."""
import asyncio
import gc
import random
import ssl
import time

from bench.client import Hall, summarize_burst
from bench.server import PASSWORD, Deployment, Server, UsageSampler
from bench.tablet import tablet_transfer
from deploy import hall_cert
from deploy.nginx import Nginx

SECRETARIAT = "bench-secretariat"


def threads_for(streams: int, workers: int) -> int:
    """gthread threads per worker so that every open live stream has a thread and
    casts still find free ones. A stream holds its thread for its minute; the kernel
    does not spread connections evenly over the workers, hence 1.5x plus room for
    the casts. Used with WORKER_CONNECTIONS = THREADS, so that a worker whose threads
    are all taken stops accepting and leaves new connections to the others (otherwise
    they queue inside it behind streams, for up to a minute)."""
    return max(8, -(-streams * 5 // (2 * workers)) + 32)  # streams, plus as many casts at once


def new_deployment(kind: str) -> Deployment:
    deployment = Deployment(kind)
    deployment.init(secretariat=SECRETARIAT)
    return deployment


async def sample_while(sampler: UsageSampler, stop: asyncio.Event):
    for _ in range(100000):
        if stop.is_set():
            return
        sampler.sample()
        try:
            await asyncio.wait_for(stop.wait(), timeout=0.5)
        except asyncio.TimeoutError:
            pass


async def measured(servers, coroutine):
    # The load generator is one Python process holding every tablet's connection: its own
    # garbage collector must not pause it (and add its pauses to the latencies it reports).
    gc.collect()
    gc.freeze()
    gc.disable()
    try:
        return await _measured(servers, coroutine)
    finally:
        gc.enable()
        gc.unfreeze()


async def _measured(servers, coroutine):
    sampler = UsageSampler(servers).start()
    stop = asyncio.Event()
    task = asyncio.create_task(sample_while(sampler, stop))
    client_cpu, wall = time.process_time(), time.monotonic()
    try:
        result = await coroutine
        usage = sampler.stop()
        spent = time.process_time() - client_cpu
        usage["load_generator_cpu_seconds"] = round(spent, 2)
        usage["load_generator_cpu_percent_of_one_core"] = round(100 * spent / max(time.monotonic() - wall, 1e-9), 1)
        return result, usage
    finally:
        stop.set()
        await task


async def wait_streams(hall: Hall, ballot_id: str, cast: int, indexes=None, timeout: float = 15.0) -> int:
    expected = len(indexes) if indexes is not None else hall.size
    deadline = time.monotonic() + timeout
    seeing = 0
    while time.monotonic() < deadline:
        seeing = hall.streams_seeing(ballot_id, cast, indexes)
        if seeing >= expected:
            break
        await asyncio.sleep(0.25)
    return seeing


async def live_cast_reaching(hall: Hall, base: str, ballot_id: str, cast: int, timeout: float = 5.0):
    """(the ballot's cast count in the instance's /live snapshot, seconds after the call
    it first showed `cast`). A snapshot may be one polling round old (the hub polls every
    0.3 s and /live serves what it polled within 0.7 s): live updates promise a second."""
    started = time.monotonic()
    while True:
        response = await hall.console.get(f"{base}/api/v1/meetings/{hall.mid}/live",
                                          headers={"Authorization": f"Bearer {hall.staff_token}"})
        seen = [b for b in response.json()["ballots"] if b["id"] == ballot_id][0]["cast"]
        elapsed = time.monotonic() - started
        if seen == cast or elapsed > timeout:
            return seen, round(elapsed, 2)
        await asyncio.sleep(0.1)


def verify(deployment: Deployment) -> bool:
    result = deployment.flask("verify", check=False, timeout=600)
    return result.returncode == 0


# --- 1. load: N deputies, all casting at once, then at a hall's pace ------------------------

async def load_run(kind: str, n: int, *, workers: int = 4, paced_window: float | None = None,
                   measure_tablet: bool = False) -> tuple[dict, list]:
    deployment = new_deployment(kind)
    server = Server(deployment, workers=workers, threads=threads_for(n, workers),
                    worker_connections=threads_for(n, workers))
    server.start()
    hall = Hall([server.url], n, name=f"压力测试{n}人大会", secretariat=SECRETARIAT)
    figures: dict = {"db": kind, "n": n, "workers": workers, "threads": server.threads}
    try:
        figures.update(await hall.setup())
        ballot = await hall.open_ballot("同时投票：全部代表同一瞬间提交")
        figures.update(await hall.start_streams(deadline_s=1800))
        (results, plans), usage = await measured([server], hall.burst(ballot, window_s=0, seed=1,
                                                                             retry_until=time.monotonic() + 120))
        burst = summarize_burst(results)
        figures["burst"] = {**burst, **usage}
        accepted = [r for r in results if r["status"] in (200, 201)]
        health, health_usage = await measured([server], hall.healthz_burst(n))
        figures["healthz"] = {**health, **health_usage}
        figures["cast_to_healthz_ratio"] = round(burst["throughput_per_s"] / health["throughput_per_s"], 3)
        check = await hall.close_and_check(ballot, [plans[r["index"]] for r in accepted])
        figures["burst"]["streams_showing_final_count"] = await wait_streams(hall, ballot["id"], len(accepted))
        receipts = await hall.receipts(ballot)
        check["receipts_match"] = sorted(r["receipt"] for r in accepted) == receipts
        figures["burst"]["check"] = check
        if paced_window:
            paced_ballot = await hall.open_ballot("按会场节奏投票")
            if measure_tablet:
                figures["tablet"] = await asyncio.to_thread(tablet_transfer, server.url, hall.deputies[-1]["card"],
                                                            hall.mid, paced_ballot["id"])
            (results2, plans2), usage2 = await measured(
                [server], hall.burst(paced_ballot, window_s=paced_window, seed=2,
                                       retry_until=time.monotonic() + 120))
            accepted2 = [r for r in results2 if r["status"] in (200, 201)]
            figures["paced"] = {"window_s": paced_window, **summarize_burst(results2), **usage2}
            figures["paced"]["check"] = await hall.close_and_check(paced_ballot, [plans2[r["index"]] for r in accepted2])
            figures["paced"]["streams_showing_final_count"] = await wait_streams(hall, paced_ballot["id"],
                                                                                 len(accepted2))
        figures["sse"] = {"events_received": hall.sse_events, "stream_errors": hall.sse_errors}
    finally:
        await hall.aclose()
        server.stop()
    figures["flask_verify"] = verify(deployment)
    deployment.drop()

    targets = []
    b = figures["burst"]
    name = f"{kind} N={n}"
    all_ok = b["accepted"] == n and b["check"]["tally_matches_accepted"] and b["check"]["counts_match_plans"] \
        and b["check"]["receipts_match"] and figures["flask_verify"]
    if n >= 3000 or not paced_window:
        targets.append((f"{name}: every cast accepted within 30 s (all at once)", all_ok and b["seconds"] <= 30,
                        f"{b['accepted']}/{n} in {b['seconds']} s"))
    else:
        targets.append((f"{name}: every cast accepted (all at once)", all_ok, f"{b['accepted']}/{n}"))
    if paced_window:
        p = figures["paced"]
        ok = p["accepted"] == n and p["check"]["tally_matches_accepted"] and p["check"]["counts_match_plans"]
        targets.append((f"{name}: every cast accepted, p99 ≤ 300 ms (casts spread over {paced_window:g} s)",
                        ok and p["p99_ms"] <= 300, f"{p['accepted']}/{n}, p99 {p['p99_ms']} ms"))
        targets.append((f"{name}: p99 ≤ 300 ms with all {n} at once (stress, informative)", b["p99_ms"] <= 300,
                        f"p99 {b['p99_ms']} ms"))
    targets.append((f"{name}: cast throughput ≥ 50% of /healthz", figures["cast_to_healthz_ratio"] >= 0.5,
                    f"{b['throughput_per_s']}/s vs {figures['healthz']['throughput_per_s']}/s = "
                    f"{figures['cast_to_healthz_ratio']:.0%}"))
    if "tablet" in figures and "total_bytes" in figures["tablet"]:
        total = figures["tablet"]["total_bytes"]
        targets.append((f"{name}: tablet ballot page ≤ 150 KB incl. assets", total <= 150 * 1024,
                        f"{total / 1024:.1f} KB"))
    return figures, targets


# --- 1b. storm: the whole hall behind ONE address scans its cards through nginx over TLS -----------

async def storm_run(kind: str, n: int, *, workers: int = 4, window_s: float = 30.0) -> tuple[dict, list]:
    """Issue #18: `make serve` behind Debian's nginx (deploy/nginx.conf) with a hall
    certificate (deploy/hall_cert.py), the app told so (TRUSTED_PROXIES=1,
    SERVED_OVER_TLS=1). N deputies behind one source address scan their cards within
    `window_s`; then every one holds its live stream and all cast at once, through the
    proxy. The server's CPU and memory are sampled; nginx's are not."""
    deployment = new_deployment(kind)
    deployment.env.update({"TRUSTED_PROXIES": "1", "SERVED_OVER_TLS": "1"})
    threads = threads_for(n, workers)
    server = Server(deployment, workers=workers, threads=threads, worker_connections=threads)
    server.start()
    tls = hall_cert.make(deployment.workdir / "tls", ["localhost"], ["127.0.0.1"])
    proxy = Nginx(f"127.0.0.1:{server.port}", tls.cert, tls.key).start()
    hall = Hall([proxy.url], n, name=f"扫卡高峰{n}人大会", secretariat=SECRETARIAT, per_address=None,
                verify=ssl.create_default_context(cafile=str(tls.ca)))
    figures: dict = {"db": kind, "n": n, "workers": workers, "threads": threads, "proxy": "nginx over TLS"}
    try:
        await hall.roster()
        storm, usage = await measured([server], hall.card_storm(window_s))
        attendance = await hall.staff("GET", f"/api/v1/meetings/{hall.mid}/attendance")
        figures["storm"] = {**storm, "present_after": attendance["present"], **usage}
        ballot = await hall.open_ballot("扫卡之后：全部代表同一瞬间提交")
        figures.update(await hall.start_streams(deadline_s=900))
        (results, plans), usage = await measured([server], hall.burst(ballot, window_s=0, seed=1,
                                                                     retry_until=time.monotonic() + 120))
        accepted = [r for r in results if r["status"] in (200, 201)]
        burst = {**summarize_burst(results), **usage}
        burst["check"] = await hall.close_and_check(ballot, [plans[r["index"]] for r in accepted])
        burst["streams_showing_final_count"] = await wait_streams(hall, ballot["id"], len(accepted))
        figures["burst"] = burst
        figures["sse"] = {"events_received": hall.sse_events, "stream_errors": hall.sse_errors}
    finally:
        await hall.aclose()
        proxy.stop()
        server.stop()
    figures["flask_verify"] = verify(deployment)
    deployment.drop()

    s, b = figures["storm"], figures["burst"]
    name = f"storm {kind} N={n}"
    everyone = s["card_statuses"] == {"302": n} and s["tablet_statuses"] == {"200": n} \
        and s["token_statuses"] == {"200": n} and s["present_after"] == n
    return figures, [
        (f"{name}: all {n} deputies behind one address scan in and are checked in within 60 s, no 429",
         everyone and s["rate_limited"] == 0 and s["seconds_first_scan_to_last_done"] <= 60,
         f"{s['present_after']}/{n} present from {s['source_addresses']} address(es) in "
         f"{s['seconds_first_scan_to_last_done']} s; cards {s['card_statuses']}, 429s {s['rate_limited']}"),
        (f"{name}: card login p99 ≤ 1 s through nginx over TLS (new TLS connection included)",
         s["card_login"]["p99_ms"] is not None and s["card_login"]["p99_ms"] <= 1000,
         f"p50 {s['card_login']['p50_ms']} ms, p99 {s['card_login']['p99_ms']} ms, max {s['card_login']['max_ms']} ms"),
        (f"{name}: then every cast accepted through the proxy (all at once) and flask verify passes",
         b["accepted"] == n and b["check"]["tally_matches_accepted"] and b["check"]["counts_match_plans"]
         and b["streams_showing_final_count"] == n and figures["flask_verify"],
         f"{b['accepted']}/{n} in {b['seconds']} s, p99 {b['p99_ms']} ms; streams at final count "
         f"{b['streams_showing_final_count']}"),
    ]


# --- 2. crash: kill -9 in the middle of a burst, restart, retry with the same keys --------------

async def crash_round(hall: Hall, server: Server, number: int, rng: random.Random) -> dict:
    """One round: open a ballot, let every deputy cast (spread over 3 s), SIGKILL the
    master and workers once 20-60 % of the casts got their 201, restart the server on
    the same port, let each client retry with its own Idempotency-Key and body until it
    gets an answer; then close and compare."""
    n = hall.size
    ballot = await hall.open_ballot(f"断电测试第{number}次")
    window = 3.0
    kill_on = max(1, int(rng.uniform(0.2, 0.6) * n))  # kill after this many 201s of the round
    hall.created = 0
    began = time.monotonic()
    task = asyncio.create_task(hall.burst(ballot, window_s=window, seed=100 + number,
                                          retry_until=time.monotonic() + 180))
    for _ in range(1200):  # at most 60 s
        if hall.created >= kill_on or task.done():
            break
        await asyncio.sleep(0.05)
    kill_at = time.monotonic() - began
    created_before_kill = hall.created
    killed = server.kill9()
    down_at = time.monotonic()
    await asyncio.sleep(0.3)
    server.start()
    restart_s = time.monotonic() - down_at
    results, plans = await asyncio.wait_for(task, timeout=300)
    got = [r for r in results if r["status"] in (200, 201)]
    created = [r for r in results if r["status"] == 201]
    retried = [r for r in results if r["attempts"] > 1]
    check = await hall.close_and_check(ballot, [plans[r["index"]] for r in got])
    receipts = await hall.receipts(ballot)
    mine = sorted(r["receipt"] for r in got)
    ok = (len(got) == n and len({r["index"] for r in got}) == n and check["tally_cast"] == len(got)
          and check["participation"] == check["tally_cast"] and check["counts_match_plans"] and mine == receipts)
    others: dict = {}
    for r in results:
        if r["status"] not in (200, 201):
            others[str(r["status"])] = others.get(str(r["status"]), 0) + 1
    return {"round": number, "killed_pids": len(killed), "killed_after_s": round(kill_at, 2),
            "created_before_kill": created_before_kill, "restart_s": round(restart_s, 2),
            "created_201": len(created), "replayed_200": len(got) - len(created), "retried_clients": len(retried),
            "other": others, "tally_cast": check["tally_cast"], "participation": check["participation"],
            "receipts_exactly_once": mine == receipts and len(set(receipts)) == len(receipts), "ok": ok}


async def crash_run(kind: str, n: int, repeats: int, *, workers: int = 4, seed: int = 7) -> tuple[dict, list]:
    deployment = new_deployment(kind)
    server = Server(deployment, workers=workers)
    server.start()
    hall = Hall([server.url], n, name=f"断电测试{n}人大会", secretariat=SECRETARIAT, block=2)
    rng = random.Random(seed)
    rounds = []
    try:
        await hall.setup()
        for number in range(1, repeats + 1):
            rounds.append(await crash_round(hall, server, number, rng))
            print(f"    crash round {number}: {rounds[-1]}", flush=True)
    finally:
        await hall.aclose()
        server.stop()
    verified = verify(deployment)
    deployment.drop()
    passed = all(r["ok"] for r in rounds) and len(rounds) == repeats and verified
    figures = {"db": kind, "n": n, "repeats": repeats, "rounds": rounds, "flask_verify": verified}
    detail = (f"{sum(r['ok'] for r in rounds)}/{repeats} rounds exact; 201 {sum(r['created_201'] for r in rounds)}, "
              f"200 on retry {sum(r['replayed_200'] for r in rounds)}, "
              f"clients that retried {sum(r['retried_clients'] for r in rounds)}, verify {'ok' if verified else 'FAILED'}")
    return figures, [(f"{kind} crash ×{repeats} (N={n}): every 201 counted once, nothing twice", passed, detail)]


# --- 2b. the reduced run inside `make test` (tests/bench) ------------------------------------

async def smoke_run(kind: str, n: int = 100, *, workers: int = 2) -> dict:
    """Correctness only: n deputies with live streams cast at once; tally, receipts and
    streams agree; then one crash round; then `flask verify`."""
    deployment = new_deployment(kind)
    server = Server(deployment, workers=workers, threads=threads_for(n, workers), worker_connections=threads_for(n, workers))
    server.start()
    hall = Hall([server.url], n, name=f"回归测试{n}人大会", secretariat=SECRETARIAT, block=4)
    out: dict = {}
    try:
        await hall.setup()
        ballot = await hall.open_ballot("回归测试票决")
        out["streams"] = await hall.start_streams(deadline_s=300)
        results, plans = await hall.burst(ballot, window_s=0, seed=5, retry_until=time.monotonic() + 120)
        accepted = [r for r in results if r["status"] in (200, 201)]
        out["accepted"] = len(accepted)
        out["statuses"] = summarize_burst(results)["statuses"]
        out["check"] = await hall.close_and_check(ballot, [plans[r["index"]] for r in accepted])
        out["streams_showing_final_count"] = await wait_streams(hall, ballot["id"], len(accepted))
        receipts = await hall.receipts(ballot)
        out["receipts_match"] = sorted(r["receipt"] for r in accepted) == receipts
        await hall.stop_streams()
        out["crash"] = await crash_round(hall, server, 1, random.Random(11))
    finally:
        await hall.aclose()
        server.stop()
    out["flask_verify"] = verify(deployment)
    deployment.drop()
    return out


# --- 3. two instances on one PostgreSQL -------------------------------------------------------

async def multi_run(n: int, *, workers: int = 2) -> tuple[dict, list]:
    deployment = new_deployment("postgres")
    servers = [Server(deployment, workers=workers, threads=threads_for(n // 2, workers),
                      worker_connections=threads_for(n // 2, workers)) for _ in range(2)]
    for server in servers:
        server.start()
    hall = Hall([s.url for s in servers], n, name=f"双实例{n}人大会", secretariat=SECRETARIAT, block=3)
    figures: dict = {"db": "postgres", "n": n, "instances": [s.url for s in servers]}
    try:
        await hall.setup()
        ballot = await hall.open_ballot("双实例票决")
        figures.update(await hall.start_streams(deadline_s=900))
        (results, plans), usage = await measured(servers, hall.burst(ballot, window_s=0, seed=3,
                                                                    retry_until=time.monotonic() + 120))
        accepted = [r for r in results if r["status"] in (200, 201)]
        figures["burst"] = {**summarize_burst(results), **usage}
        figures["per_instance"] = []
        for k, server in enumerate(servers):  # progress while open, on each instance
            cast, seconds = await live_cast_reaching(hall, server.url, ballot["id"], len(accepted))
            figures["per_instance"].append({
                "url": server.url, "casts_sent": sum(1 for r in results if r["index"] % 2 == k),
                "accepted": sum(1 for r in accepted if r["index"] % 2 == k), "live_snapshot_cast": cast,
                "live_seconds_after_burst": seconds})
        figures["check"] = await hall.close_and_check(ballot, [plans[r["index"]] for r in accepted])
        for k, entry in enumerate(figures["per_instance"]):  # the close, on every tablet of each instance
            indexes = list(range(k, n, 2))
            entry.update(streams=len(indexes),
                         streams_showing_final_count=await wait_streams(hall, ballot["id"], len(accepted), indexes))
    finally:
        await hall.aclose()
        for server in servers:
            server.stop()
    figures["flask_verify"] = verify(deployment)
    deployment.drop()
    c = figures["check"]
    live_ok = all(p["live_snapshot_cast"] == n and p["live_seconds_after_burst"] <= 1.0
                  and p["streams_showing_final_count"] == p["streams"] for p in figures["per_instance"])
    ok = len(accepted) == n and c["tally_matches_accepted"] and c["counts_match_plans"] and live_ok \
        and figures["flask_verify"]
    return figures, [(f"postgres two instances (N={n}): tally right, live progress on both", ok,
                      f"{len(accepted)}/{n} accepted; live cast per instance "
                      f"{[p['live_snapshot_cast'] for p in figures['per_instance']]} within "
                      f"{[p['live_seconds_after_burst'] for p in figures['per_instance']]} s; streams at final count "
                      f"{[p['streams_showing_final_count'] for p in figures['per_instance']]}")]


# --- 4. five sittings at once on one deployment --------------------------------------------

async def five_run(kind: str, sizes=(450, 100, 100, 100, 100), *, workers: int = 4,
                   window: float = 20.0) -> tuple[dict, list]:
    deployment = new_deployment(kind)
    names = [f"并行测试{k + 1}号人大" for k in range(len(sizes))]
    deployment.python("\n".join(
        ["from voting.accounts.models import Body", "from voting.accounts.services import create_or_update_user, top_body",
         "from voting.extensions import db", "top = top_body()"]
        + [f"b = Body(name={name!r}, level='township', parent_id=top.id); db.session.add(b); db.session.flush(); "
           f"create_or_update_user('sec{k}', 'secretariat', {PASSWORD!r}, body=b)" for k, name in enumerate(names)]
        + ["db.session.commit()"]))
    total = sum(sizes)
    server = Server(deployment, workers=workers, threads=threads_for(total, workers), worker_connections=threads_for(total, workers))
    server.start()
    halls = [Hall([server.url], size, name=f"{names[k]}代表大会", secretariat=f"sec{k}", block=10 + k)
             for k, size in enumerate(sizes)]
    figures: dict = {"db": kind, "sizes": list(sizes), "window_s": window, "sittings": []}
    targets = []
    try:
        for hall in halls:
            await hall.setup()
        ballots = [await hall.open_ballot(f"{hall.name}票决") for hall in halls]
        for hall in halls:
            await hall.start_streams(deadline_s=900)

        async def everyone():
            return await asyncio.gather(*(hall.burst(b, window_s=window, seed=50 + k,
                                                     retry_until=time.monotonic() + 120)
                                          for k, (hall, b) in enumerate(zip(halls, ballots))))

        outcomes, usage = await measured([server], everyone())  # (clients retry a lost answer, as tablets do)
        figures["usage"] = usage
        crossing = []
        # a sitting's staff and deputies cannot see another sitting's ballot
        for k, hall in enumerate(halls):
            other = ballots[(k + 1) % len(halls)]
            r1 = await hall.console.get(f"/api/v1/ballots/{other['id']}",
                                        headers={"Authorization": f"Bearer {hall.staff_token}"})
            r2 = await hall.addresses.for_deputy(0).get(f"{server.url}/api/v1/ballots/{other['id']}",
                                                        headers=hall.auth(0))
            if r1.status_code != 404 or r2.status_code != 404:
                crossing.append(f"sitting {k} reads sitting {(k + 1) % len(halls)}: {r1.status_code}/{r2.status_code}")
        for k, (hall, ballot, (results, plans)) in enumerate(zip(halls, ballots, outcomes)):
            accepted = [r for r in results if r["status"] in (200, 201)]
            check = await hall.close_and_check(ballot, [plans[r["index"]] for r in accepted])
            seeing = await wait_streams(hall, ballot["id"], len(accepted))
            foreign = sum(1 for snap in hall.sse_last.values()
                          for b in snap.get("ballots", []) if b["id"] != ballot["id"])
            if foreign or any(snap.get("meeting", {}).get("id") != hall.mid for snap in hall.sse_last.values()):
                crossing.append(f"sitting {k}: live stream carried another sitting's data")
            summary = summarize_burst(results)
            figures["sittings"].append({"size": hall.size, **summary, "streams_showing_final_count": seeing,
                                        "check": check})
            ok = (len(accepted) == hall.size and check["tally_matches_accepted"] and check["counts_match_plans"])
            targets.append((f"{kind} five sittings: sitting {k + 1} ({hall.size}) every cast accepted, p99 ≤ 300 ms",
                            ok and summary["p99_ms"] <= 300, f"{len(accepted)}/{hall.size}, p99 {summary['p99_ms']} ms"))
        figures["crossing"] = crossing
    finally:
        for hall in halls:
            await hall.aclose()
        server.stop()
    figures["flask_verify"] = verify(deployment)
    deployment.drop()
    targets.append((f"{kind} five sittings: no data crossing, flask verify passes",
                    not figures["crossing"] and figures["flask_verify"], "; ".join(figures["crossing"]) or "none"))
    return figures, targets
