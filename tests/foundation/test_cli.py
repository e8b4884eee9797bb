"""Every setup command, run twice to prove it is idempotent."""
from sqlalchemy import func, select

from voting.accounts.models import Body, User
from voting.extensions import db
from voting.meetings.models import Deputy


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result.output


def test_init_db_twice(make_app, tmp_path):
    app = make_app(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'cli.sqlite'}", KEY_DIR=str(tmp_path / "keys"))
    app.instance_path = str(tmp_path / "instance")
    first = _run(app, "init-db")
    assert "已生成" in first and "已创建" in first
    second = _run(app, "init-db")
    assert "已存在" in second and "已创建" not in second
    with app.app_context():
        assert db.session.scalar(select(func.count(Body.id))) == 1
        db.engine.dispose()
    assert (tmp_path / "instance" / "secret_key").exists()


def test_create_user_twice(app):
    from voting.accounts.services import ensure_top_body

    ensure_top_body()
    db.session.commit()
    first = _run(app, "create-user", "alice", "--role", "leader", "--password", "long-enough-pw")
    assert "已创建" in first
    second = _run(app, "create-user", "alice", "--role", "teller", "--password", "long-enough-pw2")
    assert "已更新" in second
    db.session.expire_all()
    users = db.session.execute(select(User).filter_by(username="alice")).scalars().all()
    assert len(users) == 1 and users[0].role == "teller" and users[0].check_password("long-enough-pw2")


def test_create_user_refuses_bad_input(app):
    from voting.accounts.services import ensure_top_body

    ensure_top_body()
    db.session.commit()
    result = app.test_cli_runner().invoke(args=["create-user", "bob", "--role", "leader", "--password", "short"])
    assert result.exit_code != 0 and "8" in result.output
    result = app.test_cli_runner().invoke(args=["create-user", "bob", "--role", "leader", "--password",
                                                 "long-enough-pw", "--body", "不存在的机构"])
    assert result.exit_code != 0 and "未找到" in result.output
    assert db.session.execute(select(User).filter_by(username="bob")).scalar_one_or_none() is None


def test_create_user_with_body(app):
    from tests.factories import gen_body

    county = gen_body("某县人大常委会")
    _run(app, "create-user", "carol", "--role", "secretariat", "--password", "long-enough-pw", "--body", "某县人大常委会")
    user = db.session.execute(select(User).filter_by(username="carol")).scalar_one()
    assert user.body_id == county.id


def test_seed_demo_twice(app):
    first = _run(app, "seed-demo", "--password", "demo-pass-123")
    assert "已创建" in first
    counts = _counts()
    second = _run(app, "seed-demo", "--password", "demo-pass-123")
    assert "已创建" not in second
    assert _counts() == counts
    bodies = {b.name: b for b in db.session.execute(select(Body)).scalars()}
    levels = sorted(b.level for b in bodies.values())
    assert levels.count("city") == 1 and levels.count("county") == 2 and levels.count("township") == 4
    for username in ("admin", "secretariat", "teller", "leader"):
        user = db.session.execute(select(User).filter_by(username=username)).scalar_one()
        assert user.check_password("demo-pass-123")


def _counts():
    db.session.expire_all()
    return (db.session.scalar(select(func.count(Body.id))), db.session.scalar(select(func.count(User.id))),
            db.session.scalar(select(func.count(Deputy.id))))
