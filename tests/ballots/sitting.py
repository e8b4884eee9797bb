"""A sitting driven through the JSON API, shared by the meeting, ballot and API tests."""
import uuid


class Sitting:
    """A meeting of `size` deputies created by the secretariat of `staff`'s body."""

    def __init__(self, api, staff, size: int = 10, name: str = "测试县第十八届人大第一次会议", quorum=None,
                 results_shown=None):
        self.api = api
        self.secretariat = api.token(staff["secretariat"].username)
        body = {"name": name}
        if quorum is not None:
            body["quorum"] = quorum
        if results_shown is not None:
            body["results_shown"] = results_shown
        response = api.post("/api/v1/meetings", self.secretariat, json=body)
        assert response.status_code == 201, response.get_json()
        self.meeting = response.get_json()
        self.mid = self.meeting["id"]
        self.deputies = []
        self._tokens = {}
        if size:
            rows = [{"name": f"代表{i:03d}", "delegation": f"第{i % 5 + 1}代表团", "number": f"{i:03d}"}
                    for i in range(1, size + 1)]
            response = api.post(f"/api/v1/meetings/{self.mid}/deputies", self.secretariat, json={"deputies": rows})
            assert response.status_code == 201, response.get_json()
            self.deputies = response.get_json()["deputies"]

    def token(self, index: int) -> str:
        """A bearer token for deputy `index` (0-based), obtained with its card."""
        if index not in self._tokens:
            self._tokens[index] = self.api.card_token(self.deputies[index]["card"])
        return self._tokens[index]

    def check_in(self, indexes) -> dict:
        last = None
        for index in indexes:
            response = self.api.post(f"/api/v1/meetings/{self.mid}/checkin", self.secretariat,
                                     json={"deputy_id": self.deputies[index]["id"]})
            assert response.status_code == 200, response.get_json()
            last = response.get_json()
        return last

    def ballot(self, kind="selection", items=3, seats=2, **extra) -> dict:
        body = {"kind": kind, "title": f"测试{kind}", "items": [{"title": f"项目{i}"} for i in range(1, items + 1)],
                **extra}
        if kind == "selection":
            body["seats"] = seats
        response = self.api.post(f"/api/v1/meetings/{self.mid}/ballots", self.secretariat, json=body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    def act(self, bid: str, action: str, expect: int = 200):
        response = self.api.post(f"/api/v1/ballots/{bid}/{action}", self.secretariat)
        assert response.status_code == expect, response.get_json()
        return response.get_json()

    def vote(self, index: int, bid: str, choices: dict, key: str | None = None, client=None):
        api = client or self.api
        return api.post(f"/api/v1/ballots/{bid}/votes", self.token(index), json={"choices": choices},
                        headers={"Idempotency-Key": key or uuid.uuid4().hex})

    def tally(self, bid: str, token: str | None = None):
        return self.api.get(f"/api/v1/ballots/{bid}/tally", token or self.secretariat)


def release_database():
    """End the test's own transaction. In tests the app context (and so its session)
    outlives each request; after a POST its next query opens a write transaction
    (BEGIN IMMEDIATE on SQLite) that would block other threads and apps."""
    from voting.extensions import db

    db.session.rollback()


def run_threads(app, workers: list, start_together: bool = True) -> list:
    """Run each `worker(client)` in its own thread with its own test client against the
    same app and database; all start at a barrier. Returns their results in order and
    re-raises the first exception a worker raised."""
    import threading

    release_database()
    barrier = threading.Barrier(len(workers))
    results: list = [None] * len(workers)
    errors: list = []

    def run(index, worker):
        client = app.test_client()
        try:
            if start_together:
                barrier.wait(timeout=60)
            results[index] = worker(client)
        except BaseException as error:  # noqa: BLE001  (reported to the test below)
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i, w)) for i, w in enumerate(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    if errors:
        raise errors[0]
    return results


def post_vote(client, token: str, bid: str, choices: dict, key: str):
    """One vote through a thread's own client: (status, JSON body)."""
    response = client.post(f"/api/v1/ballots/{bid}/votes", json={"choices": choices},
                           headers={"Authorization": f"Bearer {token}", "Idempotency-Key": key})
    return response.status_code, response.get_json()
