"""Records name people as readers know them (voting/accounts/people.py)."""
from tests.factories import gen_user, login
from voting.accounts.people import display_person
from voting.collection.intake import submit_proposal
from voting.meetings import services as meetings


def test_actors_become_names(app, body):
    named = gen_user("secretariat", body, display_name="张秘书")
    plain = gen_user("leader", body)
    department = gen_user("department", body, department="县住建局")
    meeting = meetings.create_meeting(body.id, "会议")
    meetings.import_roster(meeting, [(2, {"name": "李德明", "delegation": "", "number": "001"})], actor="t")
    deputy = meeting.deputies[0]
    assert display_person("public") == "公众" and display_person("") == "系统" and display_person(None) == "系统"
    assert display_person(named.username) == "张秘书" and display_person(f"user:{named.id}") == "张秘书"
    assert display_person(department.username) == "县住建局"
    assert display_person(plain.username) == f"领导 {plain.username}"
    assert display_person(f"deputy:{deputy.id}") == "李德明代表"
    assert display_person("user:999999") == "user:999999" and display_person("someone") == "someone"


def test_the_proposal_history_names_the_public_and_staff(app, body, staff):
    proposal = submit_proposal({"title": "东湖镇新建公办幼儿园", "description": "东湖镇适龄幼儿入园难，希望新建一所公办幼儿园。",
                                "category": "教育", "location": "东湖镇", "contact": "13912345678"}, body_id=body.id)
    page = login(app.test_client(), staff["secretariat"]).get(f"/collection/proposals/{proposal.id}")
    html = page.get_data(as_text=True)
    assert "公众：" in html and "public：" not in html
