"""An admin creates bodies below its own and their first staff accounts."""
from sqlalchemy import select

from tests.factories import gen_body, gen_user, login
from voting.accounts.models import Body, User
from voting.extensions import db


def test_admin_creates_body_and_first_account(client, app):
    city = gen_body("测试市人大常委会", level="city")
    admin = gen_user("admin", city)
    login(client, admin)
    response = client.post("/admin/bodies", data={"name": "测试新县人大常委会", "level": "county", "parent_id": city.id})
    assert response.status_code == 302
    county = db.session.execute(select(Body).filter_by(name="测试新县人大常委会")).scalar_one()
    assert county.parent_id == city.id
    response = client.post("/admin/users", data={"username": "new-sec", "role": "secretariat", "body_id": county.id,
                                                 "password": "long-enough-pw", "display_name": "新县秘书处"})
    assert response.status_code == 302
    user = db.session.execute(select(User).filter_by(username="new-sec")).scalar_one()
    assert user.body_id == county.id and user.role == "secretariat"


def test_bad_input_is_refused_and_nothing_stored(client, app):
    city = gen_body("测试市人大常委会2", level="city")
    admin = gen_user("admin", city)
    login(client, admin)
    before = db.session.query(Body).count(), db.session.query(User).count()
    assert client.post("/admin/bodies", data={"name": "", "level": "county", "parent_id": city.id}).status_code == 400
    assert client.post("/admin/bodies", data={"name": city.name, "level": "county", "parent_id": city.id}).status_code == 400
    bad_users = [
        {"username": "x", "role": "leader", "body_id": city.id, "password": "long-enough-pw"},
        {"username": "ok-name", "role": "leader", "body_id": city.id, "password": "short"},
        {"username": "bad name!", "role": "leader", "body_id": city.id, "password": "long-enough-pw"},
        {"username": admin.username, "role": "leader", "body_id": city.id, "password": "long-enough-pw"},
        {"username": "dept", "role": "department", "body_id": city.id, "password": "long-enough-pw"},
        {"username": "ok-name", "role": "nonsense", "body_id": city.id, "password": "long-enough-pw"},
    ]
    for data in bad_users:
        response = client.post("/admin/users", data=data)
        assert response.status_code == 400, data
    assert (db.session.query(Body).count(), db.session.query(User).count()) == before


def test_admin_cannot_reach_outside_its_subtree(client, app):
    city = gen_body("测试市人大常委会3", level="city")
    elsewhere = gen_body("别处市人大常委会", level="city")
    admin = gen_user("admin", city)
    login(client, admin)
    response = client.post("/admin/users", data={"username": "intruder", "role": "secretariat",
                                                 "body_id": elsewhere.id, "password": "long-enough-pw"})
    assert response.status_code == 400
    assert db.session.execute(select(User).filter_by(username="intruder")).scalar_one_or_none() is None


def test_other_roles_cannot_administer(client, app):
    body = gen_body()
    for role in ("secretariat", "leader", "teller"):
        client.post("/logout")
        login(client, gen_user(role, body))
        assert client.get("/admin/bodies").status_code == 403
        assert client.get("/admin/users").status_code == 403
