"""Someone who can write the database but holds no key (issue #19) cannot change a
result without `flask verify` failing: audit entries carry an HMAC under
instance/mac.key, and every close and publish is anchored in instance/anchors.log,
outside the database."""
import json

from sqlalchemy import delete, select, update

from tests.factories import assert_refused
from tests.ballots.test_verify import closed, verify  # noqa: F401  (the fixture)
from voting.ballots.models import Ballot, TallySheet
from voting.extensions import db
from voting.integrity import audit
from voting.integrity.models import AuditEntry


def rechain() -> None:
    """What a writer without the key can do: recompute the whole SHA-256 chain (and
    leave each entry's MAC as it is, or drop it: neither helps)."""
    prev = audit.GENESIS
    for entry in db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)):
        entry.prev_hash = prev
        entry.entry_hash = audit._entry_digest(prev, entry.at, entry.actor, entry.action, entry.subject,
                                               entry.details, entry.body_id)
        prev = entry.entry_hash
    db.session.commit()


def test_the_untouched_record_verifies_with_its_anchor(app, closed):
    closed.act(closed.bid, "publish")
    code, output = verify(app)
    assert code == 0, output
    assert "锚点记录（2 条）: 一致" in output


def test_an_audit_entry_edited_and_the_chain_recomputed_is_caught(app, closed):
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ballot_opened")).one()
    details = json.loads(entry.details)
    details["rule"] = "tampered"
    entry.details = json.dumps(details, ensure_ascii=False, sort_keys=True)
    db.session.commit()
    rechain()
    assert audit.check_chain()  # the SHA-256 links hold again; the MACs do not
    code, output = verify(app)
    assert code == 1 and "没有本系统密钥的认证码" in output


def test_an_inserted_entry_without_the_key_is_caught(app, closed):
    last = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc())).first()
    at = last.at
    forged = AuditEntry(at=at, actor="user:1", action="ballot_published", subject=f"ballot:{closed.bid}",
                        details="{}", prev_hash=last.entry_hash,
                        entry_hash=audit._entry_digest(last.entry_hash, at, "user:1", "ballot_published",
                                                       f"ballot:{closed.bid}", "{}", None))
    db.session.add(forged)
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "没有本系统密钥的认证码" in output


def test_a_ballot_set_back_to_open_with_its_sheet_and_entries_deleted_is_caught(app, closed):
    """The attack of the issue: reopen, delete the sheet and the ballot_closed entry,
    rebuild the chain; the database alone now looks like a ballot still open."""
    bid = int(closed.bid)
    db.session.execute(delete(TallySheet).where(TallySheet.ballot_id == bid))
    db.session.execute(delete(AuditEntry).where(AuditEntry.action == "ballot_closed"))
    db.session.execute(update(Ballot).where(Ballot.id == bid).values(state="open", closed_at=None))
    db.session.commit()
    rechain()
    code, output = verify(app)
    assert code == 1
    assert "锚点记录它已于" in output and "已不在审计日志中" in output


def test_un_publishing_is_caught(app, closed):
    closed.act(closed.bid, "publish")
    bid = int(closed.bid)
    db.session.execute(delete(AuditEntry).where(AuditEntry.action == "ballot_published"))
    db.session.execute(update(Ballot).where(Ballot.id == bid).values(state="closed", published_at=None))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "未处于公布状态" in output


def test_an_edited_anchor_line_is_caught(app, closed):
    from voting.integrity import anchors

    path = anchors.path()
    line = json.loads(path.read_bytes().splitlines()[0])
    line["sheet_sha256"] = "0" * 64
    path.write_bytes(json.dumps(line).encode() + b"\n")
    code, output = verify(app)
    assert code == 1 and "锚点记录第 1 行的认证码不符" in output


def test_audit_mac_authenticates_entries_from_before_the_mac(app, closed):
    db.session.execute(update(AuditEntry).values(mac=None))
    db.session.commit()
    assert verify(app)[0] == 1
    result = app.test_cli_runner().invoke(args=["audit-mac"])
    assert result.exit_code == 0 and "补写认证码" in result.output
    code, output = verify(app)
    assert code == 0, output


def test_a_rule_changed_while_open_is_caught(app, api, staff):
    """Frozen 1/2 at opening, changed to 1/3 in the database before the close: the
    sheet and its recount agree with each other, not with the opening entry."""
    from tests.ballots.sitting import Sitting

    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    row = db.session.get(Ballot, int(ballot["id"]))
    frozen = json.loads(row.rule_json)
    changed = {**frozen, "threshold": {**frozen["threshold"], "fraction": "1/3"}} if "threshold" in frozen else None
    assert changed is not None, frozen
    db.session.execute(update(Ballot).where(Ballot.id == row.id).values(rule_json=json.dumps(changed)))
    db.session.commit()
    s.act(ballot["id"], "close")
    code, output = verify(app)
    assert code == 1 and "计票单的计票规则与开始表决时审计日志记录的不同" in output


def test_a_replaced_signing_key_is_caught_by_the_pinned_fingerprint(app, closed, monkeypatch):
    """Someone who replaces instance/signing.pem and re-signs every sheet still fails
    verify where the fingerprint is pinned in the environment."""
    from voting.integrity import keys

    genuine = keys.fingerprint(keys.public_key_b64())
    code, output = verify(app)
    assert code == 0 and "未配置 SIGNING_KEY_FINGERPRINT" in output
    monkeypatch.setitem(app.config, "SIGNING_KEY_FINGERPRINT", genuine.lower().replace(" ", ""))
    code, output = verify(app)
    assert code == 0 and "与配置的 SIGNING_KEY_FINGERPRINT 一致" in output
    monkeypatch.setitem(app.config, "SIGNING_KEY_FINGERPRINT", "0000 1111 2222 3333 4444 5555 6666 7777")
    code, output = verify(app)
    assert code == 1 and "密钥文件可能被替换" in output


def test_a_ballot_put_back_to_open_cannot_be_closed_again(app, closed):
    """The running app refuses to count a ballot a second time, whatever the database says."""
    bid = int(closed.bid)
    db.session.execute(delete(TallySheet).where(TallySheet.ballot_id == bid))
    db.session.execute(update(Ballot).where(Ballot.id == bid).values(state="open", closed_at=None))
    db.session.commit()
    response = closed.api.post(f"/api/v1/ballots/{bid}/close", closed.secretariat)
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "invalid_transition"
    assert "已经结束过一次" in response.get_json()["error"]["message"]
    db.session.rollback()
    assert db.session.scalar(select(TallySheet.id).where(TallySheet.ballot_id == bid)) is None


def test_a_paper_participation_written_afterwards_is_caught(app, api, staff):
    from tests.ballots.sitting import Sitting
    from voting.ballots.models import Participation

    s = Sitting(api, staff, size=4)
    s.check_in(range(4))
    ballot = s.ballot(items=2, seats=1)
    ids = [item["id"] for item in ballot["items"]]
    s.act(ballot["id"], "open")
    for index in range(3):
        assert s.vote(index, ballot["id"], {ids[0]: "yes"}).status_code == 201
    s.act(ballot["id"], "close")
    assert verify(app)[0] == 0
    db.session.add(Participation(ballot_id=int(ballot["id"]), deputy_id=s.deputies[3]["id"], channel="paper"))
    db.session.commit()
    code, output = verify(app)
    assert code == 1 and "纸质选票发放记录与审计日志不符" in output


def test_issued_changed_while_open_is_caught(app, api, staff):
    from tests.ballots.sitting import Sitting

    s = Sitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    db.session.execute(update(Ballot).where(Ballot.id == int(ballot["id"])).values(issued=2))
    db.session.commit()
    s.act(ballot["id"], "close")
    code, output = verify(app)
    assert code == 1 and "计票单的发出票数与开始表决时审计日志记录的不同" in output


def test_a_card_or_token_row_written_without_the_key_opens_nothing(app, api, staff):
    """Credentials are stored as HMACs under instance/mac.key: the SHA-256 of a secret
    the writer chose, put in place of a deputy's card or as a staff token, is no login."""
    import hashlib
    import secrets as random_secrets

    from tests.ballots.sitting import Sitting
    from voting.accounts.models import ApiToken
    from voting.meetings.models import Deputy

    s = Sitting(api, staff, size=2)
    chosen = random_secrets.token_urlsafe(24)
    plain = hashlib.sha256(chosen.encode()).hexdigest()
    db.session.execute(update(Deputy).where(Deputy.id == int(s.deputies[0]["id"])).values(card_hash=plain))
    db.session.commit()
    response = api.post("/api/v1/auth/token", json={"card": chosen})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "invalid_card"
    token = db.session.scalars(select(ApiToken)).first()
    token.token_hash = plain
    db.session.commit()
    response = api.get(f"/api/v1/meetings/{s.mid}", chosen)
    assert_refused(response, 401, "unauthorized")
    # the genuine card of the other deputy still signs in
    assert api.post("/api/v1/auth/token", json={"card": s.deputies[1]["card"]}).status_code == 200


def test_deleted_paper_issue_entries_are_caught(app, api, staff):
    """A writer deletes the paper_ballot_issued entries and rebuilds the chain: the MACs
    no longer hold, and the paper participations have no entry behind them."""
    from tests.sheets.mixed import MixedSitting

    s = MixedSitting(api, staff, size=3)
    s.check_in(range(3))
    ballot = s.ballot(items=2, seats=1)
    s.act(ballot["id"], "open")
    issued = api.post(f"/api/v1/ballots/{ballot['id']}/paper/issue", s.teller, json={"deputy_id": s.deputies[0]["id"]})
    assert issued.status_code == 200, issued.get_data(as_text=True)
    s.act(ballot["id"], "close")
    assert verify(app)[0] == 0
    db.session.execute(delete(AuditEntry).where(AuditEntry.action == "paper_ballot_issued"))
    db.session.commit()
    rechain()
    code, output = verify(app)
    assert code == 1 and "纸质选票发放记录与审计日志不符" in output and "没有本系统密钥的认证码" in output
