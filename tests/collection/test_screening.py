"""Screening: statuses, decline with a reason, merge with provenance, replies, audit."""
import pytest

from tests.collection.conftest import submit
from voting.collection import services
from voting.collection.models import Proposal, ProposalEvent
from voting.extensions import db
from voting.integrity import audit
from voting.integrity.models import AuditEntry


def fresh(proposal_id):
    db.session.expire_all()
    return db.session.get(Proposal, proposal_id)


def test_status_change_records_event_and_audit(app, secretariat_client, station):
    proposal = submit(station)
    response = secretariat_client.post(f"/collection/proposals/{proposal.id}/status",
                                       data={"status": "studying", "note": "转教育局研究"})
    assert response.status_code == 302
    proposal = fresh(proposal.id)
    assert proposal.status == "studying"
    event = db.session.query(ProposalEvent).filter_by(proposal_id=proposal.id, action="status_changed").one()
    assert (event.from_status, event.to_status, event.note) == ("pending", "studying", "转教育局研究")
    assert event.actor.startswith("secretariat")
    entry = db.session.query(AuditEntry).filter_by(action="proposal_status_changed").one()
    assert entry.subject == f"proposal:{proposal.id}" and entry.body_id == station.body_id
    assert audit.check_chain() == []


def test_decline_requires_a_reason(app, secretariat_client, station):
    proposal = submit(station)
    refused = secretariat_client.post(f"/collection/proposals/{proposal.id}/decline", data={"reason": "  "})
    assert refused.status_code == 400
    assert "请填写“不予采纳的理由”" in refused.get_data(as_text=True)
    assert fresh(proposal.id).status == "pending"
    ok = secretariat_client.post(f"/collection/proposals/{proposal.id}/decline", data={"reason": "属于企业经营事项"})
    assert ok.status_code == 302
    proposal = fresh(proposal.id)
    assert proposal.status == "declined" and proposal.decline_reason == "属于企业经营事项"
    public = services.public_status(proposal)
    assert public["status_text"] == "不予采纳" and public["decline_reason"] == "属于企业经营事项"


def test_declined_can_be_reopened_and_invalid_moves_are_409(app, secretariat_client, station):
    proposal = submit(station)
    services.decline(proposal, "理由充分", "test")
    reopened = secretariat_client.post(f"/collection/proposals/{proposal.id}/status", data={"status": "studying"})
    assert reopened.status_code == 302 and fresh(proposal.id).status == "studying"
    assert fresh(proposal.id).decline_reason == ""
    services.change_status(fresh(proposal.id), "shortlisted", "test")
    services.create_candidate(station.body_id, {"year": 2026, "title": "幼儿园", "budget": "10",
                                                "department": "教育局"}, "test", [proposal.id])
    for status in ("pending", "shortlisted"):  # a listed proposal leaves the list only by unlinking
        bad = secretariat_client.post(f"/collection/proposals/{proposal.id}/status", data={"status": status})
        assert bad.status_code == 409 and fresh(proposal.id).status == "candidate"
    bogus = secretariat_client.post(f"/collection/proposals/{proposal.id}/status", data={"status": "merged"})
    assert bogus.status_code == 400


def test_merge_keeps_every_original_and_its_proposer(app, client, secretariat_client, station):
    target = submit(station, title="城东新建公办幼儿园", contact="13900000001")
    first = submit(station, title="城东需要一所幼儿园", contact="13900000002")
    second = services.submit_proposal({"title": "城东幼儿园学位不足", "description": "城东幼儿园学位不够，希望增加。",
                                       "category": "教育", "proposer": "王建国代表"},
                                      body_id=station.body_id, station=station, source="deputy", actor="sec")
    # second is merged into first, then first into target: both end up pointing at target
    assert secretariat_client.post(f"/collection/proposals/{second.id}/merge",
                                   data={"target": str(first.id)}).status_code == 302
    assert secretariat_client.post(f"/collection/proposals/{first.id}/merge",
                                   data={"target": f"#{target.id}"}).status_code == 302
    db.session.expire_all()
    rows = {p.id: p for p in db.session.query(Proposal).all()}
    assert len(rows) == 3  # nothing deleted
    assert rows[first.id].status == rows[second.id].status == "merged"
    assert rows[first.id].merged_into_id == rows[second.id].merged_into_id == target.id
    assert rows[second.id].proposer == "王建国代表" and rows[second.id].source == "deputy"
    assert rows[first.id].contact == "13900000002"
    assert {p.id for p in rows[target.id].merged_from} == {first.id, second.id}
    # the target's page lists the originals with their proposers; each original says where it went
    target_page = secretariat_client.get(f"/collection/proposals/{target.id}").get_data(as_text=True)
    assert "合并进来的建议（2）" in target_page and "王建国代表" in target_page
    merged_page = secretariat_client.get(f"/collection/proposals/{second.id}").get_data(as_text=True)
    assert f"已合并至 <a href=\"/collection/proposals/{target.id}\">#{target.id}“城东新建公办幼儿园”</a>" in merged_page
    # the proposer's tracking page and API say it was merged into X
    tracking = client.get(f"/collection/intake/query?code={rows[second.id].tracking_code}").get_data(as_text=True)
    assert "已合并至“城东新建公办幼儿园”" in tracking
    data = client.get(f"/api/v1/proposals/{rows[first.id].tracking_code}").get_json()
    assert data["status"] == "merged" and data["status_text"] == "已合并至“城东新建公办幼儿园”"
    assert data["merged_into"] == "城东新建公办幼儿园"
    # history on every row
    actions = {(e.proposal_id, e.action) for e in db.session.query(ProposalEvent).all()}
    assert {(first.id, "merged"), (second.id, "merged"), (target.id, "absorbed")} <= actions
    assert db.session.query(AuditEntry).filter_by(action="proposal_merged").count() == 2


@pytest.mark.parametrize("target_of, status, message", [("self", 409, "不能把建议合并到它自己"),
                                                       ("unknown", 400, "请填写要合并到的建议编号"),
                                                       ("declined", 409, "不能作为合并目标")])
def test_bad_merges_are_refused(app, secretariat_client, station, target_of, status, message):
    proposal = submit(station)
    other = submit(station, title="另一条建议标题")
    if target_of == "declined":
        services.decline(other, "理由充分", "test")
    target = {"self": str(proposal.id), "unknown": "99999", "declined": str(other.id)}[target_of]
    response = secretariat_client.post(f"/collection/proposals/{proposal.id}/merge", data={"target": target})
    assert response.status_code == status and message in response.get_data(as_text=True)
    assert fresh(proposal.id).status == "pending" and fresh(proposal.id).merged_into_id is None


def test_reply_is_visible_through_the_tracking_code(app, client, secretariat_client, station):
    proposal = submit(station)
    response = secretariat_client.post(f"/collection/proposals/{proposal.id}/reply",
                                       data={"reply": "已转县教育局，拟列入明年计划。"})
    assert response.status_code == 302
    assert "已转县教育局" in client.get(f"/collection/intake/query?code={proposal.tracking_code}").get_data(as_text=True)
    assert client.get(f"/api/v1/proposals/{proposal.tracking_code}").get_json()["reply"] == "已转县教育局，拟列入明年计划。"
    assert db.session.query(AuditEntry).filter_by(action="proposal_replied").count() == 1


def test_leader_reads_but_cannot_screen(app, leader_client, station):
    proposal = submit(station)
    page = leader_client.get(f"/collection/proposals/{proposal.id}")
    assert page.status_code == 200 and "筛选操作" not in page.get_data(as_text=True)
    for action, data in (("status", {"status": "studying"}), ("decline", {"reason": "x理由"}),
                         ("merge", {"target": "1"}), ("reply", {"reply": "好"})):
        assert leader_client.post(f"/collection/proposals/{proposal.id}/{action}", data=data).status_code == 403
    assert fresh(proposal.id).status == "pending"


def test_list_filters_and_search(app, secretariat_client, station):
    submit(station, title="东湖镇新建公办幼儿园")
    submit(station, title="北河镇主街积水整治", category="交通", description="北河镇主街每逢下雨积水严重，需要改造。")
    page = secretariat_client.get("/collection/proposals?category=交通").get_data(as_text=True)
    assert "北河镇主街积水整治" in page and "东湖镇新建公办幼儿园" not in page
    page = secretariat_client.get("/collection/proposals?q=幼儿园").get_data(as_text=True)
    assert "东湖镇新建公办幼儿园" in page and "北河镇主街积水整治" not in page
    page = secretariat_client.get(f"/collection/proposals?station={station.id}&status=pending&township=东湖镇")
    assert page.status_code == 200 and "共 2 条" in page.get_data(as_text=True)
    assert "共 0 条" in secretariat_client.get("/collection/proposals?status=declined").get_data(as_text=True)


def test_detail_shows_similar_proposals(app, secretariat_client, station):
    one = submit(station, title="东湖镇新建公办幼儿园")
    submit(station, title="东湖镇急需公办幼儿园", description="东湖镇孩子入园难，公办幼儿园学位不够，希望新建。")
    submit(station, title="北河镇主街积水整治", category="交通", description="北河镇主街每逢下雨积水严重，需要改造。")
    page = secretariat_client.get(f"/collection/proposals/{one.id}").get_data(as_text=True)
    similar = page.split("相似建议")[1].split("筛选操作")[0]
    assert "东湖镇急需公办幼儿园" in similar and "北河镇主街积水整治" not in similar
