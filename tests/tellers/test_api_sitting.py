"""A sitting under tellers through the API (issue #17): the key made on three devices,
plain and device-encrypted casts, forgeries refused, the count waiting for k tellers,
the board checked by the independent verifier."""
import copy
import uuid
from dataclasses import replace

from voting.crypto.ballot import encrypt_ballot, Shape
from voting.crypto import group
from voting import verifier


def shape_from(ballot_json: dict) -> Shape:
    return Shape.from_encryption(ballot_json["id"], ballot_json["encryption"])


def cast_encrypted(sitting, index, ballot, choices):
    key = group.point_from_hex(ballot["encryption"]["joint_key"])
    completed = {item: choices.get(item, "abstain") for item in ballot["encryption"]["items"]}
    encrypted = encrypt_ballot(key, shape_from(ballot), completed)
    return sitting.api.post(f"/api/v1/ballots/{ballot['id']}/votes", sitting.token(index),
                            json={"encrypted": encrypted}, headers={"Idempotency-Key": uuid.uuid4().hex}), encrypted


def test_the_key_is_made_on_the_devices_and_the_server_keeps_public_parts(api, teller_sitting):
    data = api.get(f"/api/v1/meetings/{teller_sitting.mid}/tellers", teller_sitting.secretariat).get_json()
    assert data["stage"] == "complete" and data["threshold"] == 2 and data["size"] == 3
    for device in teller_sitting.devices:
        assert device.state["joint_key"] == data["joint_key"]
        assert data["verification_keys"][str(device.state["position"])] == device.state["verification_key"]


def test_a_sitting_counts_only_when_k_tellers_decrypt(api, teller_sitting):
    s = teller_sitting
    s.check_in(range(6))
    ballot = s.ballot(items=3, seats=2)
    opened = s.act(ballot["id"], "open")
    assert opened["encryption"]["mode"] == "tellers"
    items = [str(i["id"]) for i in ballot["items"]]
    assert s.vote(0, ballot["id"], {items[0]: "yes", items[1]: "yes"}).status_code == 201  # encrypted by the server
    assert s.vote(1, ballot["id"], {items[0]: "yes", items[2]: "no"}).status_code == 201
    response, _ = cast_encrypted(s, 2, opened, {items[0]: "no", items[1]: "yes", items[2]: "abstain"})
    assert response.status_code == 201, response.get_json()
    # a forged cast: three yes on a two-seat ballot, proved as if for at most 3
    forged_shape = replace(shape_from(opened), limit=3)
    forged = encrypt_ballot(group.point_from_hex(opened["encryption"]["joint_key"]), forged_shape,
                            {i: "yes" for i in items})
    refused = api.post(f"/api/v1/ballots/{ballot['id']}/votes", s.token(3), json={"encrypted": forged},
                       headers={"Idempotency-Key": "x1"})
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "ballot_rejected"
    # the refused deputy votes again, honestly
    assert s.vote(3, ballot["id"], {items[2]: "yes"}).status_code == 201
    s.act(ballot["id"], "close")
    waiting = s.tally(ballot["id"])
    assert waiting.status_code == 409 and waiting.get_json()["error"]["code"] == "results_not_available"
    assert s.act(ballot["id"], "publish", expect=409)["error"]["code"] == "results_not_available"
    first = s.devices[0].decrypt(ballot["id"])
    assert first["counted"] is False and s.tally(ballot["id"]).status_code == 409
    second = s.devices[2].decrypt(ballot["id"])
    assert second["counted"] is True
    sheet = s.tally(ballot["id"]).get_json()
    counts = {item["id"]: item["counts"] for item in sheet["items"]}
    assert counts[items[0]] == {"yes": 2, "no": 1, "abstain": 1}
    assert counts[items[1]] == {"yes": 2, "no": 0, "abstain": 2}
    assert counts[items[2]] == {"yes": 1, "no": 1, "abstain": 2}
    assert sheet["cast"] == 4 and sheet["issued"] == 6
    enc = sheet["encryption"]
    assert (enc["mode"], enc["encrypted_on_device"], enc["encrypted_by_server"], enc["rejected"]) == \
        ("tellers", 1, 3, 1)
    s.act(ballot["id"], "publish")
    board = api.get(f"/api/v1/ballots/{ballot['id']}/board").get_json()  # public: no token
    assert verifier.verify(board) == []
    receipts = api.get(f"/api/v1/ballots/{ballot['id']}/receipts", s.token(0)).get_json()["receipts"]
    assert sorted(c["tracker"] for c in board["casts"]) == receipts


def test_a_changed_stored_ciphertext_share_or_proof_fails_the_verifier(api, teller_sitting):
    s = teller_sitting
    s.check_in(range(6))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    items = [str(i["id"]) for i in ballot["items"]]
    for index in range(3):
        assert s.vote(index, ballot["id"], {items[index % 2]: "yes"}).status_code == 201
    s.act(ballot["id"], "close")
    s.devices[0].decrypt(ballot["id"])
    s.devices[1].decrypt(ballot["id"])
    s.act(ballot["id"], "publish")
    board = api.get(f"/api/v1/ballots/{ballot['id']}/board").get_json()
    assert verifier.verify(board) == []
    other = group.base_mul(7).hex()
    tampers = []
    t = copy.deepcopy(board)
    t["casts"][0]["encrypted"]["items"][0]["b"] = other
    tampers.append(t)
    t = copy.deepcopy(board)
    t["decryptions"][0]["shares"][0][0]["d"] = other
    tampers.append(t)
    t = copy.deepcopy(board)
    t["decryptions"][1]["shares"][1][-1]["proof"][0] = group.scalar_hex(5)
    tampers.append(t)
    t = copy.deepcopy(board)
    t["sums"][0][0]["a"] = other
    tampers.append(t)
    t = copy.deepcopy(board)
    t["result"]["items"][0]["counts"]["yes"] += 1
    tampers.append(t)
    for tampered in tampers:
        assert verifier.verify(tampered) != []


def test_paper_ballots_are_added_in_the_clear_to_the_decrypted_sums(api, teller_sitting):
    s = teller_sitting
    s.check_in(range(6))
    ballot = s.ballot(items=2, seats=1)
    bid, items = ballot["id"], [str(i["id"]) for i in ballot["items"]]
    s.act(bid, "open")
    teller = api.token(s.teller_users[0].username)
    for index in (4, 5):
        issued = api.post(f"/api/v1/ballots/{bid}/paper/issue", teller, json={"deputy_id": s.deputies[index]["id"]})
        assert issued.status_code == 200, issued.get_json()
    assert api.post(f"/api/v1/ballots/{bid}/paper/ballots", teller,
                    json={"choices": {items[1]: "yes"}}).status_code == 201
    spoiled = api.post(f"/api/v1/ballots/{bid}/paper/ballots", teller, json={"choices": {i: "yes" for i in items}})
    assert spoiled.status_code == 201 and spoiled.get_json()["invalid"] is True
    for index in range(3):
        assert s.vote(index, bid, {items[0]: "yes"}).status_code == 201
    s.act(bid, "close")
    s.devices[1].decrypt(bid)
    s.devices[2].decrypt(bid)
    sheet = s.tally(bid).get_json()
    assert [item["counts"]["yes"] for item in sheet["items"]] == [3, 1]
    assert (sheet["cast"], sheet["invalid"], sheet["channels"]) == (5, 1, {"tablet": 3, "paper": 2})
    s.act(bid, "publish")
    board = api.get(f"/api/v1/ballots/{bid}/board").get_json()
    assert (board["paper"]["ballots"], board["paper"]["invalid"]) == (2, 1)
    assert verifier.verify(board) == []


def _forgeries(key, shape, items):
    """What a dishonest tablet might send, each with proofs that look complete."""
    from voting.crypto import elgamal

    honest = {items[0]: "yes", items[1]: "no", items[2]: "abstain"}
    two_for_one = encrypt_ballot(key, shape, honest)
    doubled, _ = elgamal.encrypt(key, 2)
    (two_for_one["items"][0] if shape.packed else two_for_one["items"][0]["choices"][0]).update(doubled.to_json())
    too_many = encrypt_ballot(key, replace(shape, limit=3), {i: "yes" for i in items})
    other_ballot = encrypt_ballot(key, replace(shape, ballot_id=shape.ballot_id + 1000), honest)
    copied = encrypt_ballot(key, shape, honest)
    copied["items"][1] = encrypt_ballot(key, shape, honest)["items"][1]  # an item and its proofs from another cast
    return {"two_for_one_yes": two_for_one, "seats_plus_one": too_many, "made_for_another_ballot": other_ballot,
            "item_copied_from_another_cast": copied}


def opened_ballot(s, items, seats):
    """All six checked in, a secret selection ballot opened: (ballot, opened, item ids, joint key)."""
    s.check_in(range(6))
    ballot = s.ballot(items=items, seats=seats)
    opened = s.act(ballot["id"], "open")
    return ballot, opened, [str(i["id"]) for i in ballot["items"]], group.point_from_hex(opened["encryption"]["joint_key"])


def test_every_forgery_is_refused_through_the_api_and_never_counted(api, teller_sitting):
    s = teller_sitting
    ballot, opened, items, key = opened_ballot(s, 3, 2)
    for name, forged in _forgeries(key, shape_from(opened), items).items():
        refused = api.post(f"/api/v1/ballots/{ballot['id']}/votes", s.token(0), json={"encrypted": forged},
                           headers={"Idempotency-Key": name})
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "ballot_rejected", name
    honest, encrypted = cast_encrypted(s, 1, opened, {items[0]: "yes"})
    assert honest.status_code == 201
    replayed = api.post(f"/api/v1/ballots/{ballot['id']}/votes", s.token(2), json={"encrypted": encrypted},
                        headers={"Idempotency-Key": "replay"})
    assert replayed.status_code == 422 and replayed.get_json()["error"]["code"] == "ballot_rejected"
    assert s.vote(0, ballot["id"], {items[1]: "yes"}).status_code == 201  # the refused deputy still votes
    # the copy was refused at commit (unique ballot and tracker): nothing of it stayed, so its sender votes too
    assert s.vote(2, ballot["id"], {items[2]: "yes"}).status_code == 201
    s.act(ballot["id"], "close")
    s.devices[0].decrypt(ballot["id"])
    s.devices[1].decrypt(ballot["id"])
    sheet = s.tally(ballot["id"]).get_json()
    assert sheet["cast"] == 3 and sheet["encryption"]["rejected"] == 4
    assert [item["counts"]["yes"] for item in sheet["items"]] == [1, 1, 1]


def test_an_encrypted_cast_meets_the_day_s_checks_too(api, teller_sitting):
    """A deputy who signed out cannot cast an encrypted ballot either (403 deputy_left)."""
    s = teller_sitting
    s.check_in(range(6))
    ballot = s.ballot(items=2, seats=1)
    opened = s.act(ballot["id"], "open")
    left = api.post(f"/api/v1/meetings/{s.mid}/signout", s.token(0))
    assert left.status_code == 200, left.get_json()
    refused, _ = cast_encrypted(s, 0, opened, {str(ballot["items"][0]["id"]): "yes"})
    assert refused.status_code == 403 and refused.get_json()["error"]["code"] == "deputy_left"


def test_a_retried_encrypted_cast_gets_its_receipt_again_and_is_counted_once(api, teller_sitting):
    """The same key and the same cast (its JSON in another key order and spacing: the key
    is over its canonical form) answer 200 with the first receipt; another cast under the
    same key is not that retry."""
    import json

    s = teller_sitting
    ballot, opened, items, key = opened_ballot(s, 2, 1)
    encrypted = encrypt_ballot(key, shape_from(opened), {items[0]: "yes", items[1]: "no"})
    path, headers = f"/api/v1/ballots/{ballot['id']}/votes", {"Idempotency-Key": "tablet-retry-1"}
    first = api.post(path, s.token(0), json={"encrypted": encrypted}, headers=headers)
    assert first.status_code == 201
    reordered = json.dumps({"encrypted": {k: encrypted[k] for k in reversed(list(encrypted))}}, indent=1)
    again = s.api.client.post(path, data=reordered, content_type="application/json",
                              headers={**headers, "Authorization": f"Bearer {s.token(0)}"})
    assert again.status_code == 200 and again.get_json()["receipt"] == first.get_json()["receipt"]
    other = encrypt_ballot(key, shape_from(opened), {items[0]: "no", items[1]: "yes"})
    refused = api.post(path, s.token(0), json={"encrypted": other}, headers=headers)
    assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "already_voted"
    s.act(ballot["id"], "close")
    s.devices[0].decrypt(ballot["id"])
    s.devices[1].decrypt(ballot["id"])
    sheet = s.tally(ballot["id"]).get_json()
    assert sheet["cast"] == 1 and [item["counts"]["yes"] for item in sheet["items"]] == [1, 0]


def test_each_kind_gets_its_encoding_and_counts_exactly(api, teller_sitting):
    """A motion (yes/no/abstain, no limit) is packed: one ciphertext per item; an
    appraisal (five options) is one-hot. Both count through the tellers to the exact
    counts, and both boards pass the verifier; the one-hot board read as format /1
    (no `encoding`, as boards made before the packed encoding) passes too."""
    s = teller_sitting
    s.check_in(range(6))
    marks = {"motion": ["yes", "no", "no", "abstain", "yes"],
             "appraisal": ["satisfied", "unsatisfied", "basically_satisfied", "abstain", "satisfied"]}
    for kind, expected_kind in (("motion", "packed"), ("appraisal", "one-hot")):
        ballot = s.ballot(kind=kind, items=2)
        opened = s.act(ballot["id"], "open")
        assert opened["encryption"]["encoding"]["kind"] == expected_kind
        columns = 1 if expected_kind == "packed" else len(opened["encryption"]["options"])
        items = opened["encryption"]["items"]
        for index, mark in enumerate(marks[kind]):
            if index % 2:
                response, encrypted = cast_encrypted(s, index, opened, {items[0]: mark})
                first = encrypted["items"][0]
                assert (len(first["choices"]) if "choices" in first else 1) == columns
            else:
                response = s.vote(index, ballot["id"], {items[0]: mark})
            assert response.status_code == 201, response.get_json()
        s.act(ballot["id"], "close")
        sums = api.get(f"/api/v1/ballots/{ballot['id']}/sums", api.token(s.teller_users[0].username)).get_json()
        assert len(sums["columns"]) == columns and all(len(row) == columns for row in sums["sums"])
        s.devices[0].decrypt(ballot["id"])
        s.devices[1].decrypt(ballot["id"])
        sheet = s.tally(ballot["id"]).get_json()
        counts = {item["id"]: item["counts"] for item in sheet["items"]}
        options = opened["encryption"]["options"]
        assert counts[items[0]] == {option: marks[kind].count(option) for option in options}
        assert counts[items[1]] == {option: (5 if option == "abstain" else 0) for option in options}
        s.act(ballot["id"], "publish")
        board = api.get(f"/api/v1/ballots/{ballot['id']}/board").get_json()
        assert board["format"] == "minsheng-voting-board/2" and board["ballot"]["encoding"]["kind"] == expected_kind
        assert verifier.verify(board) == []
        older = copy.deepcopy(board)
        older["format"] = "minsheng-voting-board/1"
        del older["ballot"]["encoding"]
        assert (verifier.verify(older) == []) is (expected_kind == "one-hot")
        for wrong in ({"kind": "one-hot"}, {"kind": "packed", "base": 1048576, "values": {}}, {"kind": "packed"}, None):
            if wrong != board["ballot"]["encoding"]:
                changed = copy.deepcopy(board)
                changed["ballot"]["encoding"] = wrong
                assert verifier.verify(changed) != []


def test_a_packed_cast_of_the_wrong_form_is_refused_and_stores_no_vote(api, teller_sitting):
    """Bad input on a packed ballot: 422 ballot_rejected with a Chinese message, no
    participation stored, so the deputy then votes and is counted once."""
    s = teller_sitting
    ballot, opened, items, key = opened_ballot(s, 3, 2)
    honest = encrypt_ballot(key, shape_from(opened), {items[0]: "yes", items[1]: "no", items[2]: "abstain"})
    changes = [lambda e: e["limit"]["bits"].pop(), lambda e: e["limit"].update(bits="x"),
               lambda e: e["items"][0].pop("proof"), lambda e: e["items"][1].update(a=7),
               lambda e: e["items"][2].update(b="zz" * 32), lambda e: e.update(items={}),
               lambda e: e["items"][0].update(choices=[])]
    for index, change in enumerate(changes):
        forged = copy.deepcopy(honest)
        change(forged)
        refused = api.post(f"/api/v1/ballots/{ballot['id']}/votes", s.token(0), json={"encrypted": forged},
                           headers={"Idempotency-Key": f"bad-{index}"})
        error = refused.get_json()["error"]
        assert (refused.status_code, error["code"]) == (422, "ballot_rejected"), (index, error)
        assert "加密选票" in error["message"]
    response, _ = cast_encrypted(s, 0, opened, {items[0]: "yes"})
    assert response.status_code == 201, response.get_json()
    assert api.get(f"/api/v1/ballots/{ballot['id']}", s.token(0)).get_json()["voted"] is True
