"""Casting a vote: receipts, idempotent retries, every refusal, and nothing stored on refusal."""
import pytest
from sqlalchemy import func, select

from tests.factories import assert_refused
from tests.ballots.sitting import Sitting
from voting.ballots.models import CastBallot, IdempotencyRecord, Participation
from voting.extensions import db


def stored() -> tuple[int, int, int]:
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    return count(Participation), count(CastBallot), count(IdempotencyRecord)


@pytest.fixture
def live(api, staff):
    s = Sitting(api, staff, size=5)
    s.check_in(range(4))
    ballot = s.ballot(items=3, seats=2)
    s.act(ballot["id"], "open")
    s.bid = ballot["id"]
    s.ids = [item["id"] for item in ballot["items"]]
    return s


def test_vote_gets_a_receipt(live):
    response = live.vote(0, live.bid, {live.ids[0]: "yes", live.ids[1]: "no"})
    assert response.status_code == 201
    receipt = response.get_json()["receipt"]
    assert len(receipt) == 19 and receipt.count("-") == 3
    assert stored() == (1, 1, 1)
    progress = live.api.get(f"/api/v1/ballots/{live.bid}", live.secretariat).get_json()["progress"]
    assert progress == {"issued": 4, "cast": 1, "voted": 1}


def test_same_key_and_body_returns_the_same_receipt(live):
    choices = {live.ids[0]: "yes"}
    first = live.vote(0, live.bid, choices, key="tablet-0-try")
    again = live.vote(0, live.bid, choices, key="tablet-0-try")
    assert first.status_code == 201 and again.status_code == 200
    assert first.get_json()["receipt"] == again.get_json()["receipt"]
    assert stored() == (1, 1, 1)


def test_retry_still_answers_after_close(live):
    choices = {live.ids[2]: "yes"}
    first = live.vote(1, live.bid, choices, key="k-1")
    live.act(live.bid, "close")
    again = live.vote(1, live.bid, choices, key="k-1")
    assert again.status_code == 200 and again.get_json() == first.get_json()


@pytest.mark.parametrize("key, body_change", [("k-1", True), ("k-2", False), ("k-2", True)])
def test_another_vote_by_the_same_deputy_is_409(live, key, body_change):
    assert live.vote(0, live.bid, {live.ids[0]: "yes"}, key="k-1").status_code == 201
    choices = {live.ids[0]: "no"} if body_change else {live.ids[0]: "yes"}
    response = live.vote(0, live.bid, choices, key=key)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "already_voted"
    assert stored() == (1, 1, 1)


def test_missing_idempotency_key_is_400(live):
    response = live.api.post(f"/api/v1/ballots/{live.bid}/votes", live.token(0), json={"choices": {}})
    assert_refused(response, 400, "idempotency_key_required")
    assert "Idempotency-Key" in response.get_json()["error"]["message"]
    assert stored() == (0, 0, 0)


@pytest.mark.parametrize("marks, code", [
    ({"A": "yes"}, "unknown_item"),
    ({"999999": "yes"}, "unknown_item"),
    ({0: "maybe"}, "unknown_choice"),
    ({0: "satisfied"}, "unknown_choice"),
    ({0: "yes", 1: "yes", 2: "yes"}, "too_many_yes"),
])
def test_choices_against_the_rules_are_422(live, marks, code):
    choices = {(live.ids[key] if isinstance(key, int) else key): value for key, value in marks.items()}
    response = live.vote(0, live.bid, choices)
    assert response.status_code == 422
    assert response.get_json()["error"]["code"] == code
    assert stored() == (0, 0, 0)
    # the deputy can still vote afterwards
    assert live.vote(0, live.bid, {live.ids[0]: "yes"}).status_code == 201


def test_too_many_yes_message_names_the_seats(live):
    response = live.vote(0, live.bid, {key: "yes" for key in live.ids})
    assert "2" in response.get_json()["error"]["message"] and "3" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("raw", [b"", b"not json", b"[]", b'{"choices": []}', b'{"choices": {"1": 5}}',
                                 b'{"votes": {}}', b'{"choices": "yes"}'])
def test_malformed_vote_is_400(live, raw):
    response = live.api.client.post(f"/api/v1/ballots/{live.bid}/votes", data=raw, content_type="application/json",
                                    headers={"Authorization": f"Bearer {live.token(0)}", "Idempotency-Key": "x"})
    assert_refused(response, 400, "bad_request")
    assert stored() == (0, 0, 0)


def test_empty_choices_is_a_blank_ballot(live):
    assert live.vote(0, live.bid, {}).status_code == 201
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert all(item["counts"]["abstain"] == 1 for item in sheet["items"])


def test_ballot_not_open_is_409(live, api, staff):
    draft = live.ballot(kind="motion", items=1)
    response = live.vote(0, draft["id"], {})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "ballot_not_open"
    assert live.api.get(f"/api/v1/ballots/{draft['id']}", live.token(0)).status_code == 404  # nor read it
    live.act(live.bid, "close")
    response = live.vote(0, live.bid, {live.ids[0]: "yes"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "ballot_not_open"
    assert stored() == (0, 0, 0)


def test_deputy_not_present_at_open_is_403_not_eligible(live):
    response = live.vote(4, live.bid, {live.ids[0]: "yes"})
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "not_eligible"
    assert stored() == (0, 0, 0)


def test_only_deputies_vote_and_only_in_their_meeting(live, api, staff):
    token = api.token(staff["secretariat"].username)
    response = api.post(f"/api/v1/ballots/{live.bid}/votes", token, json={"choices": {}},
                        headers={"Idempotency-Key": "x"})
    assert_refused(response, 403, "forbidden")
    other = Sitting(api, staff, size=1, name="别的会议")
    response = other.vote(0, live.bid, {})
    assert_refused(response, 404, "not_found")
    assert_refused(live.vote(0, "999999", {}), 404, "not_found")
    assert stored() == (0, 0, 0)


def test_idempotency_record_holds_no_plain_receipt(live):
    receipt = live.vote(0, live.bid, {live.ids[0]: "yes"}, key="my-key").get_json()["receipt"]
    record = db.session.scalars(select(IdempotencyRecord)).one()
    assert receipt.encode() not in record.receipt and b"my-key" not in record.receipt
    assert "my-key" not in record.key_hash


def _statements(app):
    seen = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(" ".join(statement.split()))

    from sqlalchemy import event

    event.listen(db.engine, "before_cursor_execute", record)
    return seen, lambda: event.remove(db.engine, "before_cursor_execute", record)


def test_a_cast_reads_the_ballot_once_and_its_items_not_again(app, live):
    assert live.vote(0, live.bid, {live.ids[0]: "yes"}).status_code == 201
    live.token(1)
    db.session.rollback()
    db.session.expunge_all()  # as a new request's session: nothing of the ballot known yet
    seen, stop = _statements(app)
    try:
        response = live.vote(1, live.bid, {live.ids[1]: "yes", live.ids[2]: "no"})
    finally:
        stop()
    assert response.status_code == 201, response.get_json()
    selects = [s for s in seen if s.upper().startswith("SELECT")]
    assert not [s for s in selects if "FROM ballot_item" in s]
    # the ballot's row read whole (not the write transaction's check of its state)
    ballot_reads = [s for s in selects if s.startswith("SELECT ballot.id AS ballot_id") and " FROM ballot WHERE" in s]
    assert len(ballot_reads) == 1, ballot_reads
    assert stored()[0] == 2


def test_item_keys_are_kept_per_opened_ballot_and_key():
    from voting.ballots.models import Ballot, BallotItem

    def ballot(public_key, item_ids):
        made = Ballot(id=987654, public_key=public_key)
        made.items = [BallotItem(id=item_id, position=i) for i, item_id in enumerate(item_ids)]
        return made

    first = ballot(b"k" * 32, [11, 12])
    assert first.item_keys == ("11", "12")
    first.items = [BallotItem(id=99, position=0)]
    assert first.item_keys == ("11", "12")  # opened: kept, not read again
    assert ballot(b"j" * 32, [21, 22, 23]).item_keys == ("21", "22", "23")  # same id, another ballot's key
    draft = ballot(None, [31])
    assert draft.item_keys == ("31",)
    draft.items = [BallotItem(id=32, position=0)]
    assert draft.item_keys == ("32",)  # not opened: read each time
