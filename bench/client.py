"""The hall, as the server sees it: N tablets, twenty to an address (127.x.y.z) or all
behind ONE address (a hall's NAT, the login storm), logging in with its card, checking
in, holding its live-update stream (SSE) open, and casting once in a burst. Plus the
secretariat's console. Valid cards are never limited per address (issue #18).

Every loop is bounded in count and time."""
import asyncio
import json
import random
import time
import uuid

import httpx

from bench.server import PASSWORD

CANDIDATES, SEATS = 25, 20
DEPUTIES_PER_ADDRESS = 20  # spreads the load generator's connections over source addresses
SETUP_CONCURRENCY = 16
TIMEOUT = httpx.Timeout(120.0, connect=60.0)


def percentile(values, fraction):
    if not values:
        return None
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, int(round(fraction * len(ordered) + 0.5)) - 1))
    return ordered[index]


def latency_figures(latencies_s):
    ms = [v * 1000 for v in latencies_s]
    return {"p50_ms": _r(percentile(ms, 0.50)), "p95_ms": _r(percentile(ms, 0.95)),
            "p99_ms": _r(percentile(ms, 0.99)), "max_ms": _r(max(ms) if ms else None)}


def _r(value):
    return round(value, 1) if value is not None else None


class Addresses:
    """One httpx client per source address (127.<block>.x.y), `per_address` deputies to
    each (None: the whole hall behind one address). `verify`: an ssl context trusting
    the hall CA when the hall talks HTTPS to nginx."""

    def __init__(self, block: int, per_address: int | None = DEPUTIES_PER_ADDRESS, verify=True):
        self.block = block
        self.per_address = per_address
        self.verify = verify
        self.clients: dict[str, httpx.AsyncClient] = {}

    def address_of(self, index: int) -> str:
        slot = index // self.per_address if self.per_address else 0
        return f"127.{self.block}.{slot // 250}.{slot % 250 + 1}"

    def for_deputy(self, index: int) -> httpx.AsyncClient:
        address = self.address_of(index)
        # Behind one address every tablet still has its own connections, as in a hall
        # (and httpcore's pool, scanning its connections at every event, would
        # otherwise spend the burst on itself with 1,300 connections in one pool).
        key = address if self.per_address else f"{address}/{index}"
        if key not in self.clients:
            keepalive = 4 * (self.per_address or 1)
            self.clients[key] = httpx.AsyncClient(
                transport=httpx.AsyncHTTPTransport(local_address=address, retries=0, verify=self.verify,
                                                   limits=httpx.Limits(max_connections=None,
                                                                       max_keepalive_connections=keepalive)),
                timeout=TIMEOUT)
        return self.clients[key]

    async def close(self):
        await asyncio.gather(*(c.aclose() for c in self.clients.values()), return_exceptions=True)


async def bounded(coroutines, limit: int):
    semaphore = asyncio.Semaphore(limit)

    async def run(coro):
        async with semaphore:
            return await coro

    return await asyncio.gather(*(run(c) for c in coroutines))


def plan_for(seed: int, item_ids: list[str]) -> dict:
    """A deputy's ballot: up to SEATS yes, the rest no / abstain / left out."""
    rng = random.Random(seed)
    yes = set(rng.sample(item_ids, rng.randint(SEATS - 6, SEATS)))
    choices = {}
    for item in item_ids:
        if item in yes:
            choices[item] = "yes"
        else:
            pick = rng.random()
            if pick < 0.5:
                choices[item] = "no"
            elif pick < 0.8:
                choices[item] = "abstain"
    return choices


def expected_counts(plans, item_ids) -> dict:
    counts = {item: {"yes": 0, "no": 0, "abstain": 0} for item in item_ids}
    for plan in plans:
        for item in item_ids:
            counts[item][plan.get(item, "abstain")] += 1
    return counts


class Hall:
    """One sitting of `size` deputies. `bases` are the server URLs; deputy i talks to
    bases[i % len(bases)] (the multi-instance run spreads them over two servers)."""

    def __init__(self, bases: list[str], size: int, *, name: str, secretariat: str, block: int = 1,
                 per_address: int | None = DEPUTIES_PER_ADDRESS, verify=True):
        self.bases = bases
        self.size = size
        self.name = name
        self.secretariat_user = secretariat
        self.verify = verify
        self.addresses = Addresses(block, per_address, verify)
        self.console = httpx.AsyncClient(base_url=bases[0], timeout=TIMEOUT, verify=verify)
        self.tokens: list[str | None] = [None] * size
        self.deputies: list[dict] = []
        self.sse_tasks: list[asyncio.Task] = []
        self.sse_stop = asyncio.Event()
        self.sse_last: dict[int, dict] = {}  # deputy index -> last snapshot received
        self.sse_events = 0
        self.sse_errors = 0
        self.created = 0  # 201 answers so far (the crash test kills the server on this count)
        self.bodies: dict[int, bytes] | None = None  # under tellers: each deputy's encrypted cast (JSON), made beforehand

    def base_of(self, index: int) -> str:
        return self.bases[index % len(self.bases)]

    def auth(self, index: int) -> dict:
        return {"Authorization": f"Bearer {self.tokens[index]}"}

    async def staff(self, method: str, path: str, expect=(200, 201), **kwargs):
        response = await self.console.request(method, path, headers={"Authorization": f"Bearer {self.staff_token}"},
                                              **kwargs)
        if response.status_code not in expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json()

    # --- setting up (not timed) ------------------------------------------------------------

    async def roster(self) -> None:
        """The secretariat signs in, creates the meeting and imports the roster."""
        response = await self.console.post("/api/v1/auth/token",
                                           json={"username": self.secretariat_user, "password": PASSWORD})
        response.raise_for_status()
        self.staff_token = response.json()["token"]
        meeting = await self.staff("POST", "/api/v1/meetings", json={"name": self.name})
        self.mid = meeting["id"]
        rows = [{"name": f"代表{i:04d}", "delegation": f"第{i % 30 + 1}代表团", "number": f"{i:04d}"}
                for i in range(self.size)]
        created = await self.staff("POST", f"/api/v1/meetings/{self.mid}/deputies", json={"deputies": rows})
        self.deputies = created["deputies"]

    async def setup(self) -> dict:
        started = time.monotonic()
        await self.roster()
        await bounded([self._login(i) for i in range(self.size)], SETUP_CONCURRENCY)
        await bounded([self._check_in(i) for i in range(self.size)], SETUP_CONCURRENCY)
        attendance = await self.staff("GET", f"/api/v1/meetings/{self.mid}/attendance")
        if attendance["present"] != self.size:
            raise RuntimeError(f"only {attendance['present']} of {self.size} checked in")
        return {"setup_seconds": round(time.monotonic() - started, 1)}

    async def _login(self, index: int):
        """The tablet's API token with its card. Valid cards are never limited per address
        (issue #18): any answer but 200 is a failure of the run, 429 included."""
        client = self.addresses.for_deputy(index)
        response = await client.post(self.base_of(index) + "/api/v1/auth/token",
                                     json={"card": self.deputies[index]["card"]})
        if response.status_code != 200:
            raise RuntimeError(f"card login {index}: {response.status_code} {response.text[:200]}")
        self.tokens[index] = response.json()["token"]

    async def card_storm(self, window_s: float, seed: int = 3) -> dict:
        """The login storm: every deputy scans its card at a moment drawn uniformly over
        `window_s`, as its tablet's browser does: a new TLS connection and cookie jar,
        GET /card/<secret> (sign in and check in; 302), then the /tablet page it is sent
        to, then the API token with the same card (for the burst that follows). All
        from the hall's address(es). Timed per deputy from the first byte sent."""
        rng = random.Random(seed)
        begin = time.monotonic() + 0.2
        starts = [begin + rng.random() * window_s for _ in range(self.size)]

        async def scan(index: int) -> dict:
            await asyncio.sleep(max(0.0, starts[index] - time.monotonic()))
            base, secret = self.base_of(index), self.deputies[index]["card"]
            transport = httpx.AsyncHTTPTransport(local_address=self.addresses.address_of(index), retries=0,
                                                 verify=self.verify)
            result = {"index": index, "card": None, "tablet": None, "token": None, "started": time.monotonic()}
            async with httpx.AsyncClient(transport=transport, timeout=TIMEOUT) as tablet:
                try:
                    card = await tablet.get(f"{base}/card/{secret}")
                    result["card"], result["card_s"] = card.status_code, time.monotonic() - result["started"]
                    if card.status_code == 302:
                        page = await tablet.get(card.url.join(card.headers["location"]))
                        result["tablet"] = page.status_code
                    result["page_s"] = time.monotonic() - result["started"]
                    tablet.cookies.clear()  # an API client of its own: a cookie would ask for the CSRF token
                    token = await tablet.post(f"{base}/api/v1/auth/token", json={"card": secret})
                    result["token"] = token.status_code
                    if token.status_code == 200:
                        self.tokens[index] = token.json()["token"]
                except httpx.HTTPError as error:
                    result["error"] = type(error).__name__
            result["done"] = time.monotonic()
            return result

        results = await asyncio.gather(*(scan(i) for i in range(self.size)))

        def count(field):
            found: dict = {}
            for r in results:
                found[str(r[field])] = found.get(str(r[field]), 0) + 1
            return found

        scanned = [r for r in results if r["card"] == 302]
        return {"deputies": self.size, "window_s": window_s,
                "source_addresses": len({self.addresses.address_of(i) for i in range(self.size)}),
                "card_statuses": count("card"), "tablet_statuses": count("tablet"), "token_statuses": count("token"),
                "transport_errors": sum(1 for r in results if "error" in r),
                "rate_limited": sum(1 for r in results if 429 in (r["card"], r["tablet"], r["token"])),
                "seconds_first_scan_to_last_done": round(max(r["done"] for r in results) - begin, 1),
                "card_login": latency_figures([r["card_s"] for r in scanned]),
                "scan_to_tablet_page": latency_figures([r["page_s"] for r in scanned if r["tablet"] == 200])}

    async def _check_in(self, index: int):
        client = self.addresses.for_deputy(index)
        response = await client.post(self.base_of(index) + f"/api/v1/meetings/{self.mid}/checkin",
                                     headers=self.auth(index))
        if response.status_code != 200:
            raise RuntimeError(f"check-in {index}: {response.status_code} {response.text[:200]}")

    async def open_ballot(self, title: str) -> dict:
        ballot = await self.staff("POST", f"/api/v1/meetings/{self.mid}/ballots", json={
            "kind": "selection", "title": title, "seats": SEATS,
            "items": [{"title": f"民生实事候选项目{i:02d}"} for i in range(1, CANDIDATES + 1)]})
        return await self.staff("POST", f"/api/v1/ballots/{ballot['id']}/open")

    # --- live updates --------------------------------------------------------------------------

    async def start_streams(self, deadline_s: float, connect_timeout_s: float = 120) -> dict:
        """Every deputy opens its SSE stream; returns once all have received their first
        snapshot (or the timeout passed). The streams reconnect as EventSource does
        until stop_streams() or the deadline."""
        self.sse_stop.clear()
        self._first = asyncio.Semaphore(0)
        ends_at = time.monotonic() + deadline_s
        self.sse_tasks = [asyncio.create_task(self._stream(i, ends_at)) for i in range(self.size)]
        started = time.monotonic()
        connected = 0
        while connected < self.size and time.monotonic() - started < connect_timeout_s:
            try:
                await asyncio.wait_for(self._first.acquire(), timeout=max(0.1, connect_timeout_s - (time.monotonic() - started)))
                connected += 1
            except asyncio.TimeoutError:
                break
        return {"streams_open": connected, "streams_seconds_to_open": round(time.monotonic() - started, 1)}

    async def _stream(self, index: int, ends_at: float):
        client = self.addresses.for_deputy(index)
        url = self.base_of(index) + f"/api/v1/meetings/{self.mid}/events"
        first = True
        last_id = None
        for _attempt in range(1000):
            if self.sse_stop.is_set() or time.monotonic() > ends_at:
                return
            try:
                headers = self.auth(index) | ({"Last-Event-ID": last_id} if last_id else {})
                async with client.stream("GET", url, headers=headers,
                                         timeout=httpx.Timeout(None, connect=120.0)) as response:
                    if response.status_code != 200:
                        self.sse_errors += 1
                        await asyncio.sleep(1)
                        continue
                    if first and last_id is None:
                        pass
                    async for line in self._lines(response, ends_at):
                        if line.startswith("id: "):
                            last_id = line[4:]
                        elif line.startswith("data: "):
                            self.sse_last[index] = json.loads(line[6:])
                            self.sse_events += 1
                            if first:
                                first = False
                                self._first.release()
            except (httpx.HTTPError, OSError):
                self.sse_errors += 1
                await asyncio.sleep(1)

    async def _lines(self, response, ends_at):
        iterator = response.aiter_lines().__aiter__()
        while not self.sse_stop.is_set() and time.monotonic() < ends_at:
            stop = asyncio.ensure_future(self.sse_stop.wait())
            nxt = asyncio.ensure_future(iterator.__anext__())
            done, _ = await asyncio.wait({stop, nxt}, return_when=asyncio.FIRST_COMPLETED,
                                         timeout=max(0.1, ends_at - time.monotonic()))
            if nxt not in done:
                nxt.cancel()
                stop.cancel()
                return
            stop.cancel()
            try:
                yield nxt.result()
            except StopAsyncIteration:
                return

    async def stop_streams(self):
        self.sse_stop.set()
        if self.sse_tasks:
            await asyncio.wait(self.sse_tasks, timeout=30)
            for task in self.sse_tasks:
                task.cancel()
            await asyncio.gather(*self.sse_tasks, return_exceptions=True)
        self.sse_tasks = []

    def streams_seeing(self, ballot_id: str, cast: int, indexes=None, state: str = "closed") -> int:
        """How many deputies' streams last showed the ballot in `state` with `cast` votes.
        (A tablet's stream is sent ballots opening and closing, not each cast: it shows the
        final count once the ballot is closed.)"""
        seen = 0
        for index in (indexes if indexes is not None else range(self.size)):
            snapshot = self.sse_last.get(index) or {}
            for ballot in snapshot.get("ballots", []):
                if ballot["id"] == ballot_id and ballot["cast"] == cast and ballot["state"] == state:
                    seen += 1
        return seen

    # --- the burst ----------------------------------------------------------------------------

    async def cast(self, index: int, ballot: dict, key: str, choices: dict, start_at: float,
                   retry_until: float | None = None) -> dict:
        """One deputy's vote, sent at `start_at` (monotonic). With `retry_until`, a
        connection error or 5xx is retried with the same key and body until then."""
        delay = start_at - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        client = self.addresses.for_deputy(index)
        url = self.base_of(index) + f"/api/v1/ballots/{ballot['id']}/votes"
        sent = time.monotonic()
        attempts = 0
        errors = []
        for attempts in range(1, 400):
            began = time.monotonic()
            try:
                headers = self.auth(index) | {"Idempotency-Key": key}
                if self.bodies is not None:  # serialized beforehand, as the tablet does on its own CPU
                    response = await client.post(url, content=self.bodies[index],
                                                 headers=headers | {"Content-Type": "application/json"})
                else:
                    response = await client.post(url, json={"choices": choices}, headers=headers)
                status = response.status_code
                body = response.json() if "json" in response.headers.get("content-type", "") else {}
            except (httpx.HTTPError, OSError) as error:
                status, body = None, {"error": type(error).__name__}
            done = time.monotonic()
            if status is not None and status < 500:
                if status == 201:
                    self.created += 1
                return {"index": index, "status": status, "receipt": body.get("receipt"),
                        "code": (body.get("error") or {}).get("code") if isinstance(body.get("error"), dict) else None,
                        "latency": done - began, "sent": sent, "done": done, "attempts": attempts,
                        "first_latency": done - sent, "errors": errors}
            errors.append(status or body.get("error"))
            if retry_until is None or done > retry_until:
                return {"index": index, "status": status, "receipt": None, "code": None, "latency": done - began,
                        "sent": sent, "done": done, "attempts": attempts, "first_latency": done - sent,
                        "errors": errors}
            await asyncio.sleep(0.25)
        return {"index": index, "status": None, "receipt": None, "code": "gave_up", "latency": 0, "sent": sent,
                "done": time.monotonic(), "attempts": attempts, "first_latency": 0, "errors": errors}

    async def burst(self, ballot: dict, *, window_s: float = 0.0, seed: int = 0, retry_until=None,
                    indexes=None):
        """Every deputy (or `indexes`) casts once; start times uniform over `window_s`
        (0: all at once). Returns (results, plans by index)."""
        item_ids = [item["id"] for item in ballot["items"]]
        indexes = list(range(self.size)) if indexes is None else list(indexes)
        rng = random.Random(seed)
        now = time.monotonic() + 0.2
        starts = {i: now + (rng.random() * window_s if window_s else 0) for i in indexes}
        plans = {i: plan_for(seed * 100003 + i, item_ids) for i in indexes}
        keys = {i: uuid.uuid4().hex for i in indexes}
        results = await asyncio.gather(*(self.cast(i, ballot, keys[i], plans[i], starts[i], retry_until)
                                         for i in indexes))
        return results, plans

    async def healthz_burst(self, count: int) -> dict:
        """`count` concurrent GET /healthz from the same tablets' addresses."""
        async def one(index):
            client = self.addresses.for_deputy(index)
            began = time.monotonic()
            try:
                response = await client.get(self.base_of(index) + "/healthz")
                ok = response.status_code == 200
            except httpx.HTTPError:
                ok = False
            return ok, time.monotonic() - began

        started = time.monotonic()
        results = await asyncio.gather(*(one(i % self.size) for i in range(count)))
        elapsed = time.monotonic() - started
        ok = sum(1 for good, _ in results if good)
        return {"requests": count, "ok": ok, "seconds": round(elapsed, 3),
                "throughput_per_s": round(ok / elapsed, 1), **latency_figures([t for _, t in results])}

    # --- after -------------------------------------------------------------------------------

    async def close_and_check(self, ballot: dict, accepted_plans: list[dict]) -> dict:
        began = time.monotonic()
        await self.staff("POST", f"/api/v1/ballots/{ballot['id']}/close")
        close_s = time.monotonic() - began
        tally = await self.staff("GET", f"/api/v1/ballots/{ballot['id']}/tally")
        item_ids = [item["id"] for item in ballot["items"]]
        expected = expected_counts(accepted_plans, item_ids)
        counted = {item["id"]: {k: item["counts"].get(k, 0) for k in ("yes", "no", "abstain")}
                   for item in tally["items"]}
        detail = await self.staff("GET", f"/api/v1/ballots/{ballot['id']}")
        return {"close_seconds": round(close_s, 3), "tally_cast": tally["cast"], "accepted": len(accepted_plans),
                "tally_matches_accepted": tally["cast"] == len(accepted_plans),
                "counts_match_plans": counted == expected,
                "participation": detail["progress"].get("voted"),
                "signature_alg": tally["signature"]["alg"]}

    async def receipts(self, ballot: dict) -> list[str]:
        await self.staff("POST", f"/api/v1/ballots/{ballot['id']}/publish")
        return (await self.staff("GET", f"/api/v1/ballots/{ballot['id']}/receipts"))["receipts"]

    async def aclose(self):
        await self.stop_streams()
        await self.addresses.close()
        await self.console.aclose()


def summarize_burst(results: list[dict]) -> dict:
    """Accepted = 201, or 200 for a retry whose first answer was lost (same key and body).
    Latency is from the first send to the final answer, retries included."""
    accepted = [r for r in results if r["status"] in (200, 201)]
    if not results:
        return {}
    first = min(r["sent"] for r in results)
    last = max(r["done"] for r in results)
    statuses = {}
    for r in results:
        statuses[str(r["status"])] = statuses.get(str(r["status"]), 0) + 1
    errors: dict = {}
    for r in results:
        for error in r["errors"]:
            errors[str(error)] = errors.get(str(error), 0) + 1
    return {"casts": len(results), "accepted": len(accepted), "statuses": statuses,
            "retried_after_transport_error": sum(1 for r in results if r["attempts"] > 1), "transport_errors": errors,
            "seconds": round(last - first, 3), "throughput_per_s": round(len(accepted) / (last - first), 1),
            **latency_figures([r["first_latency"] for r in results])}
