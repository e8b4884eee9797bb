"""As the attacker of issue #17, holding the database, instance/ and every request the
server received: no share of the tellers' key, no single cast opened, k-1 shares open
nothing; and a changed ciphertext, share or sum after close makes `flask verify` fail."""
import json

import pytest
from sqlalchemy import inspect, select, text

from tests.tellers.conftest import TellerSitting, device_for
from voting.crypto import elgamal, group
from voting.crypto.ballot import item_counts
from voting.crypto.elgamal import Ciphertext
from voting.extensions import db
from voting.integrity import sealing
from voting.tellers.models import DecryptionShare, EncryptedTally
from voting.ballots.models import Ballot, CastBallot
from voting.tellers.tally import shape_of


class Recording:
    """Every request body a teller's device sent the server."""

    def __init__(self):
        self.bodies = []


def recorded_device(api, username, recording):
    device = device_for(api, username)
    inner = device.call

    def call(method, path, body=None):
        recording.bodies.append(json.dumps(body))
        return inner(method, path, body)
    device.call = call
    return device


@pytest.fixture
def sitting(api, staff, body):
    s = TellerSitting(api, staff, body)
    s.recording = Recording()
    s.devices = [recorded_device(api, u.username, s.recording) for u in s.teller_users]
    s.make_key()
    s.check_in(range(6))
    ballot = s.ballot(items=3, seats=2)
    s.bid, s.items = ballot["id"], [str(i["id"]) for i in ballot["items"]]
    s.act(s.bid, "open")
    for index in range(5):
        assert s.vote(index, s.bid, {s.items[index % 3]: "yes"}).status_code == 201
    s.act(s.bid, "close")
    return s


def every_stored_value() -> str:
    """Every value of every row of every table, as text (bytes as hex)."""
    out = []
    db.session.rollback()
    for table in inspect(db.session.connection()).get_table_names():
        for row in db.session.execute(text(f'SELECT * FROM "{table}"')):
            out.extend(value.hex() if isinstance(value, (bytes, memoryview)) and not isinstance(value, str)
                       else str(value) for value in row)
    db.session.rollback()  # end the read: the API's writes must not wait for it
    return "\n".join(out)


def test_the_server_never_holds_or_receives_a_share(sitting):
    stored = every_stored_value()
    for device in sitting.devices:
        share = device.state["share"]
        assert share not in stored
        assert all(share not in body for body in sitting.recording.bodies)
        assert device.state["transport_secret"] not in stored


def test_nothing_the_server_holds_opens_a_cast_or_the_sums(sitting, app):
    ballot = db.session.get(Ballot, int(sitting.bid))
    casts = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id)).all()
    private = sealing.unwrap_private_key(ballot.id, ballot.wrapped_private_key)  # the installation's key, in hand
    for cast in casts:
        assert cast.origin == "server" and cast.tracker
        with pytest.raises(sealing.SealError):
            sealing.unseal(private, ballot.id, cast.sealed)
    db.session.rollback()
    # one teller's share (k-1 = 1) and everything public give no count
    sitting.devices[0].decrypt(sitting.bid)
    sums = [[Ciphertext.from_json(c) for c in row]
            for row in json.loads(db.session.get(EncryptedTally, ballot.id).sums_json)]
    given = json.loads(db.session.get(DecryptionShare, (ballot.id, 1)).shares_json)
    db.session.rollback()
    table, shape = elgamal.log_table(10), shape_of(ballot)
    assert len(sums) == 3
    for i, row in enumerate(sums):  # one ciphertext per item (packed): its reading needs k shares
        points = [elgamal.combine(c, {1: group.point_from_hex(given[i][j]["d"])}) for j, c in enumerate(row)]
        assert points and all(point not in table for point in points)
        assert item_counts(shape, points, 10, table) is None
    assert sitting.tally(sitting.bid).status_code == 409


def verify(app):
    result = app.test_cli_runner().invoke(args=["verify"])
    return result.exit_code, result.output


def counted(sitting):
    sitting.devices[0].decrypt(sitting.bid)
    sitting.devices[1].decrypt(sitting.bid)
    db.session.expire_all()


def test_flask_verify_runs_the_verifier_on_the_board(sitting, app):
    counted(sitting)
    code, output = verify(app)
    assert code == 0, output
    assert "公开核验板 通过" in output


@pytest.mark.parametrize("tamper", ["ciphertext", "share", "sums", "proof", "encoding"])
def test_a_changed_ciphertext_share_sum_or_proof_fails_flask_verify(sitting, app, tamper):
    counted(sitting)
    bid = int(sitting.bid)
    other = group.base_mul(11).hex()
    if tamper == "encoding":  # the frozen encoding of a packed ballot set to one-hot
        ballot = db.session.get(Ballot, bid)
        assert ballot.cast_encoding == "packed"
        ballot.cast_encoding = "one-hot"
    elif tamper in ("ciphertext", "proof"):
        cast = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == bid)).first()
        encrypted = json.loads(cast.sealed)
        if tamper == "ciphertext":
            encrypted["items"][0]["a"] = other
        else:
            encrypted["items"][0]["proof"][0][1] = group.scalar_hex(3)
        cast.sealed = json.dumps(encrypted).encode()
    elif tamper == "share":
        row = db.session.get(DecryptionShare, (bid, 2))
        shares = json.loads(row.shares_json)
        shares[1][0]["d"] = other
        row.shares_json = json.dumps(shares)
    else:
        row = db.session.get(EncryptedTally, bid)
        sums = json.loads(row.sums_json)
        sums[2][-1]["b"] = other
        row.sums_json = json.dumps(sums)
    db.session.commit()
    code, output = verify(app)
    assert code != 0
    assert "公开核验板 不符" in output, output


def test_a_cast_swapped_for_a_fresh_valid_one_fails_flask_verify(sitting, app):
    """The insider knows the joint key, so can make a cast whose proofs all hold; swapped
    in after the count, the sums, the signed trackers digest and the board no longer agree."""
    from voting.crypto.ballot import cast_digest, encrypt_ballot, other_bits, tracker_of, verify_ballot

    counted(sitting)
    ballot = db.session.get(Ballot, int(sitting.bid))
    shape = shape_of(ballot)
    forged = encrypt_ballot(ballot.teller_key, shape, {item: "yes" if item == shape.item_ids[0] else "abstain"
                                                       for item in shape.item_ids})
    tracker, rows = verify_ballot(ballot.teller_key, shape, forged)  # valid in every proof
    assert tracker == tracker_of(cast_digest(shape, rows, other_bits(shape, forged)))
    cast = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id)).first()
    cast.sealed, cast.tracker = json.dumps(forged).encode(), tracker
    db.session.commit()
    code, output = verify(app)
    assert code != 0 and "公开核验板 不符" in output, output
