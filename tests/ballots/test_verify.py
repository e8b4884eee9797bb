"""`flask verify`: passes after a vote, fails on a changed cast ballot, tally or audit entry."""
import json

import pytest
from sqlalchemy import select, update

from tests.ballots.sitting import Sitting
from voting.ballots.models import Ballot, CastBallot, TallySheet
from voting.extensions import db
from voting.integrity import sealing
from voting.integrity.canonical import canonical_json
from voting.integrity.models import AuditEntry


@pytest.fixture
def closed(api, staff):
    s = Sitting(api, staff, size=5)
    s.check_in(range(5))
    ballot = s.ballot(items=3, seats=2)
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(s.bid, "open")
    for index in range(5):
        assert s.vote(index, s.bid, {s.ids[0]: "yes", s.ids[1]: "no" if index % 2 else "yes"}).status_code == 201
    s.act(s.bid, "close")
    return s


def verify(app, *args):
    result = app.test_cli_runner().invoke(args=["verify", *args])
    return result.exit_code, result.output


def test_verify_passes_after_a_vote(app, closed):
    code, output = verify(app)
    assert code == 0, output
    assert "审计日志哈希链: 通过" in output
    assert "计票单签名 通过" in output and "与计票单一致" in output and "平板 5" in output
    assert "核验通过" in output


def test_verify_one_ballot(app, closed):
    code, output = verify(app, "--ballot", closed.bid)
    assert code == 0 and f"表决 {closed.bid}" in output
    assert verify(app, "--ballot", "abc")[0] == 1
    assert verify(app, "--ballot", "99999")[0] == 1


def test_verify_fails_on_a_resealed_cast_ballot(app, closed):
    """A tamperer with the public key seals other choices and fixes the tracker."""
    ballot = db.session.get(Ballot, int(closed.bid))
    victim = db.session.scalars(select(CastBallot).where(CastBallot.ballot_id == ballot.id)).first()
    forged = sealing.seal(ballot.public_key, ballot.id, canonical_json({k: "no" for k in closed.ids}),
                          len(victim.sealed) - (1 + 32 + 12 + 16))
    db.session.execute(update(CastBallot).where(CastBallot.id == victim.id)
                       .values(sealed=forged, tracker=sealing.tracker_for(forged)))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "与计票单不一致" in output


def test_verify_fails_on_a_flipped_byte_in_a_cast_ballot(app, closed):
    victim = db.session.scalars(select(CastBallot)).first()
    changed = bytearray(victim.sealed)
    changed[-3] ^= 0xFF
    db.session.execute(update(CastBallot).where(CastBallot.id == victim.id).values(sealed=bytes(changed)))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "回执码与密封内容不符" in output


def test_verify_fails_on_a_changed_tally(app, closed):
    row = db.session.scalars(select(TallySheet)).one()
    sheet = json.loads(row.sheet_json)
    sheet["items"][1]["counts"]["yes"] += 1
    db.session.execute(update(TallySheet).where(TallySheet.id == row.id)
                       .values(sheet_json=canonical_json(sheet).decode()))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "计票单签名 不符" in output


def test_verify_fails_on_a_changed_audit_entry(app, closed):
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_opened")).one()
    db.session.execute(update(AuditEntry).where(AuditEntry.id == entry.id).values(actor="someone-else"))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "审计日志哈希链: 不符" in output


def test_verify_fails_on_a_removed_cast_ballot(app, closed):
    victim = db.session.scalars(select(CastBallot)).first()
    db.session.delete(victim)
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "平板参与人数 5 与平板选票数 4 不符" in output


def delete_audit_tail(*actions: str) -> None:
    """Delete the last entries of the audit log, which must be `actions` in this order:
    the hash chain still holds, as nothing comes after them."""
    tail = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(len(actions))).all()
    assert [entry.action for entry in reversed(tail)] == list(actions)
    for entry in tail:
        db.session.delete(entry)
    db.session.commit()


@pytest.mark.parametrize("tail, missing", [
    (("ballot_published",), "ballot_published"),
    (("ballot_closed", "ballot_published"), "ballot_closed"),
])
def test_verify_fails_when_the_audit_log_tail_is_deleted(app, closed, tail, missing):
    closed.act(closed.bid, "publish")
    assert verify(app)[0] == 0
    delete_audit_tail(*tail)
    code, output = verify(app)
    assert "审计日志哈希链: 通过" in output  # the chain alone cannot see it
    assert code == 1 and f"但审计日志中没有{'结束' if missing == 'ballot_closed' else '公布'}表决的记录（{missing}）" in output


def test_verify_fails_when_an_open_ballot_lost_its_opened_entry(app, api, staff):
    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    bid = s.ballot(items=2, seats=1)["id"]
    s.act(bid, "open")
    delete_audit_tail("ballot_opened")
    code, output = verify(app)
    assert code == 1 and "状态为“表决中”，但审计日志中没有开始表决的记录（ballot_opened）" in output


@pytest.mark.parametrize("state, recorded", [("closed", "公布表决（ballot_published）"),
                                             ("draft", "开始表决（ballot_opened）")])
def test_verify_fails_when_a_ballot_state_is_put_back(app, closed, state, recorded):
    """The reverse: the published ballot set back (its sheet hidden again, or a draft)."""
    closed.act(closed.bid, "publish")
    db.session.execute(update(Ballot).where(Ballot.id == int(closed.bid)).values(state=state))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and f"但审计日志记录了{recorded}" in output
