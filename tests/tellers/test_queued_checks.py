"""Proofs checked outside the cast request (CAST_CHECK = "queued", voting.tellers.checking):
a cast is answered once its form is checked; checkers (`flask check-casts`) or the close
check its proofs; a forgery found then is never counted, is an invalid ballot on the
sheet and a rejected cast on the board; an insider who flips a check fails the verifier."""
import json
import uuid

import pytest
from sqlalchemy import select, update

from tests.tellers.test_api_sitting import _forgeries, cast_encrypted, shape_from
from voting import verifier
from voting.ballots.models import CastBallot
from voting.crypto import group
from voting.extensions import db
from voting.tellers import checking


@pytest.fixture
def queued(app):
    app.config["CAST_CHECK"] = "queued"
    return app


def checks(sitting, bid):
    response = sitting.api.get(f"/api/v1/ballots/{bid}/checks", sitting.secretariat)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def send(sitting, index, bid, encrypted):
    return sitting.api.post(f"/api/v1/ballots/{bid}/votes", sitting.token(index), json={"encrypted": encrypted},
                            headers={"Idempotency-Key": uuid.uuid4().hex})


def opened_ballot(sitting):
    sitting.check_in(range(6))
    ballot = sitting.ballot(items=3, seats=2)
    opened = sitting.act(ballot["id"], "open")
    return opened, [str(i["id"]) for i in ballot["items"]]


def count_and_publish(sitting, bid):
    sitting.devices[0].decrypt(bid)
    assert sitting.devices[1].decrypt(bid)["counted"] is True
    sheet = sitting.tally(bid).get_json()
    sitting.act(bid, "publish")
    return sheet, sitting.api.get(f"/api/v1/ballots/{bid}/board").get_json()


def test_a_queued_forgery_is_answered_then_failed_by_the_checkers_and_never_counted(queued, teller_sitting):
    s = teller_sitting
    opened, items = opened_ballot(s)
    bid = opened["id"]
    key = group.point_from_hex(opened["encryption"]["joint_key"])
    forged = _forgeries(key, shape_from(opened), items)["seats_plus_one"]
    assert send(s, 0, bid, forged).status_code == 201  # its form is right: only its proofs are false
    honest, _ = cast_encrypted(s, 1, opened, {items[0]: "yes", items[1]: "no"})
    assert honest.status_code == 201
    assert s.vote(2, bid, {items[2]: "yes"}).status_code == 201  # plain: encrypted and proved by the server
    broken = _forgeries(key, shape_from(opened), items)["two_for_one_yes"]
    broken["items"].pop()  # a malformed cast is still refused at once
    refused = send(s, 3, bid, broken)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "ballot_rejected"
    assert checks(s, bid) == {"ballot_id": bid, "mode": "queued", "pending": 3, "valid": 0, "failed": 0}

    runner = queued.test_cli_runner()
    outputs = [runner.invoke(args=["check-casts", "--part", str(part), "--parts", "2"]) for part in (0, 1)]
    assert all(result.exit_code == 0 for result in outputs), [result.output for result in outputs]
    assert checks(s, bid) == {"ballot_id": bid, "mode": "queued", "pending": 0, "valid": 2, "failed": 1}
    s.act(bid, "close")
    sheet, board = count_and_publish(s, bid)
    assert sheet["cast"] == 3 and sheet["invalid"] == 1 and sheet["valid"] == 2
    assert [item["counts"]["yes"] for item in sheet["items"]] == [1, 0, 1]
    enc = sheet["encryption"]
    assert (enc["encrypted_on_device"], enc["encrypted_by_server"], enc["rejected"],
            enc["failed_after_acceptance"]) == (1, 1, 2, 1)
    assert verifier.verify(board) == []
    failed = [entry for entry in board["rejected"] if entry["after_acceptance"]]
    assert len(failed) == 1 and "证明不成立" in failed[0]["reason"]
    assert len(board["casts"]) == 2 and board["accepted"] == 2
    receipts = s.api.get(f"/api/v1/ballots/{bid}/receipts", s.token(0)).get_json()["receipts"]
    assert failed[0]["tracker"] in receipts  # it was cast: its receipt stands, shown as rejected on the board


def test_close_checks_the_casts_still_pending(queued, teller_sitting):
    s = teller_sitting
    opened, items = opened_ballot(s)
    bid = opened["id"]
    key = group.point_from_hex(opened["encryption"]["joint_key"])
    assert send(s, 0, bid, _forgeries(key, shape_from(opened), items)["item_copied_from_another_cast"]).status_code == 201
    for index in (1, 2):
        assert s.vote(index, bid, {items[0]: "yes"}).status_code == 201
    assert checks(s, bid)["pending"] == 3
    s.act(bid, "close")  # no checker ran: the close checks them
    assert checks(s, bid) == {"ballot_id": bid, "mode": "queued", "pending": 0, "valid": 2, "failed": 1}
    sheet, board = count_and_publish(s, bid)
    assert sheet["cast"] == 3 and sheet["invalid"] == 1
    assert [item["counts"]["yes"] for item in sheet["items"]] == [2, 0, 0]
    assert verifier.verify(board) == []


def test_a_queued_cast_whose_point_is_no_point_fails_its_check(queued, teller_sitting):
    """The door reads hex only; that each point is a ristretto255 point is checked with the proofs."""
    s = teller_sitting
    opened, items = opened_ballot(s)
    _, honest = cast_encrypted(s, 0, opened, {items[0]: "yes"})
    honest = json.loads(json.dumps(honest))
    honest["items"][1]["b"] = "ff" * 32  # 32 bytes, but no canonical encoding of a point
    assert send(s, 1, opened["id"], honest).status_code == 201
    honest["items"][1]["b"] = "FF" * 32  # not canonical hex: refused at the door
    refused = send(s, 2, opened["id"], honest)
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "ballot_rejected"
    assert checking.check_pending() == (2, 1)
    assert checks(s, opened["id"])["failed"] == 1


def test_checks_in_the_request_answer_a_forgery_at_once(app, teller_sitting):
    """CAST_CHECK = "inline" (the default): nothing is ever pending."""
    s = teller_sitting
    opened, items = opened_ballot(s)
    key = group.point_from_hex(opened["encryption"]["joint_key"])
    refused = send(s, 0, opened["id"], _forgeries(key, shape_from(opened), items)["seats_plus_one"])
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "ballot_rejected"
    assert s.vote(1, opened["id"], {items[0]: "yes"}).status_code == 201
    assert checks(s, opened["id"]) == {"ballot_id": opened["id"], "mode": "inline", "pending": 0, "valid": 1,
                                       "failed": 0}


def _counted_queued_ballot(s):
    opened, items = opened_ballot(s)
    bid = opened["id"]
    key = group.point_from_hex(opened["encryption"]["joint_key"])
    assert send(s, 0, bid, _forgeries(key, shape_from(opened), items)["two_for_one_yes"]).status_code == 201
    for index in (1, 2):
        assert s.vote(index, bid, {items[index]: "yes"}).status_code == 201
    s.act(bid, "close")
    s.devices[0].decrypt(bid)
    s.devices[2].decrypt(bid)
    db.session.expire_all()
    return int(bid)


def _verify(app):
    result = app.test_cli_runner().invoke(args=["verify"])
    return result.exit_code, result.output


@pytest.mark.parametrize("flip", ["valid_to_failed", "failed_to_valid"])
def test_an_insider_flipping_a_check_fails_flask_verify(queued, teller_sitting, flip):
    bid = _counted_queued_ballot(teller_sitting)
    code, output = _verify(queued)
    assert code == 0, output
    before, after = ("valid", "failed") if flip == "valid_to_failed" else ("failed", "valid")
    target = db.session.scalars(select(CastBallot.id).where(CastBallot.ballot_id == bid,
                                                            CastBallot.proof_check == before)).first()
    db.session.execute(update(CastBallot).where(CastBallot.id == target).values(proof_check=after, rejection="x"))
    db.session.commit()
    code, output = _verify(queued)
    assert code != 0 and "公开核验板 不符" in output, output


def test_checker_parts_share_the_pending_casts_without_overlap(queued, teller_sitting):
    s = teller_sitting
    opened, items = opened_ballot(s)
    for index in range(6):
        assert s.vote(index, opened["id"], {items[index % 3]: "yes"}).status_code == 201
    everything = set(checking.pending_ids())
    parts = [set(checking.pending_ids(part=part, parts=3)) for part in range(3)]
    assert len(everything) == 6 and set().union(*parts) == everything
    assert sum(len(part) for part in parts) == 6
    assert checking.pending_ids(ballot_id=int(opened["id"]), limit=2) == sorted(everything)[:2]


def test_a_stored_cast_that_no_longer_parses_fails_its_check(queued, teller_sitting):
    s = teller_sitting
    opened, items = opened_ballot(s)
    assert s.vote(0, opened["id"], {items[0]: "yes"}).status_code == 201
    cast = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == int(opened["id"]))).one()
    cast.sealed = json.dumps({"items": "garbage"}).encode()
    db.session.commit()
    assert checking.check_pending() == (1, 1)
    db.session.expire_all()
    assert db.session.get(CastBallot, cast.id).proof_check == "failed"


def test_the_check_mode_must_be_known(make_app):
    with pytest.raises(ValueError, match="CAST_CHECK"):
        make_app(CAST_CHECK="later")


def test_reading_gunicorn_conf_sets_queued_checks_for_the_server_only(monkeypatch):
    """gunicorn.conf.py hands CAST_CHECK to the server through raw_env (set in gunicorn's
    master); whoever reads the file keeps its own environment."""
    import os
    import runpy
    from pathlib import Path

    monkeypatch.delenv("CAST_CHECK", raising=False)
    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    assert settings["raw_env"] == ["CAST_CHECK=queued"] and "CAST_CHECK" not in os.environ
    monkeypatch.setenv("CAST_CHECK", "inline")
    assert runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))["raw_env"] == \
        ["CAST_CHECK=inline"]


def test_checkers_start_at_the_lowest_priority_that_never_preempts_a_worker(monkeypatch):
    """What gunicorn.conf.py runs in a checker before it starts (preexec_fn): nice 19 and
    SCHED_BATCH, read back by the started process itself."""
    import os
    import runpy
    import subprocess
    import sys
    from pathlib import Path

    monkeypatch.delenv("CAST_CHECK", raising=False)
    settings = runpy.run_path(str(Path(__file__).resolve().parents[2] / "gunicorn.conf.py"))
    seen = subprocess.run([sys.executable, "-c", "import os; print(os.getpriority(os.PRIO_PROCESS, 0), "
                           "os.sched_getscheduler(0) == os.SCHED_BATCH)"],
                          preexec_fn=settings["_low_priority"], capture_output=True, text=True, check=True)
    assert seen.stdout.split() == [str(min(19, os.getpriority(os.PRIO_PROCESS, 0) + 19)), "True"]


def test_checks_of_a_ballot_without_tellers_or_unknown_are_refused(api, staff):
    from tests.ballots.sitting import Sitting

    plain = Sitting(api, staff, size=2)
    ballot = plain.ballot(items=2, seats=1)
    response = api.get(f"/api/v1/ballots/{ballot['id']}/checks", plain.secretariat)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_tellers"
    assert "监票人" in response.get_json()["error"]["message"]
    missing = api.get("/api/v1/ballots/987654/checks", plain.secretariat)
    assert missing.status_code == 404 and missing.get_json()["error"]["code"] == "not_found"


def test_a_checker_part_outside_its_parts_is_refused(app):
    result = app.test_cli_runner().invoke(args=["check-casts", "--part", "2", "--parts", "2"])
    assert result.exit_code == 2 and "--part 须小于 --parts" in result.output
