"""The supervision demo: idempotent, always shows a delayed project."""
from datetime import date
from decimal import Decimal

from tests.factories import PASSWORD
from tests.tracking.conftest import make_ballot
from voting.accounts.models import User
from voting.collection.models import Candidate
from voting.extensions import db
from voting.tracking import demo
from voting.tracking.models import LivelihoodProject, ProgressUpdate


def statuses():
    today = date.today()
    return [p.status_on(today) for p in db.session.query(LivelihoodProject).order_by(LivelihoodProject.id)]


def test_demo_without_ballots_uses_the_fixed_list_and_is_idempotent(app, body):
    context = {"main": body, "password": PASSWORD}
    first = demo.seed(context)
    db.session.commit()
    assert first and db.session.query(LivelihoodProject).count() == len(demo.FALLBACK)
    assert set(statuses()) == {"completed", "in_progress", "delayed", "not_started"}
    assert db.session.query(ProgressUpdate).filter_by(published=False).count() >= 1
    account = db.session.query(User).filter_by(username="department").one()
    assert account.role == "department" and account.department == demo.FALLBACK[0][2]
    assert demo.seed(context) == []
    assert db.session.query(LivelihoodProject).count() == len(demo.FALLBACK)


def test_demo_uses_the_candidates_when_there_are_some(app, body):
    db.session.add(Candidate(body_id=body.id, year=2026, title="图书馆延时开放", budget=Decimal("48.00"),
                             department="县文化广电旅游体育局"))
    db.session.commit()
    demo.seed({"main": body, "password": PASSWORD})
    db.session.commit()
    [project] = db.session.query(LivelihoodProject).all()
    assert project.title == "图书馆延时开放" and project.candidate_id is not None


def test_demo_with_selection_results_tracks_them(app, body):
    make_ballot(body, {"甲项目": "selected", "乙项目": "failed"}, state="published")
    demo.seed({"main": body, "password": PASSWORD})
    db.session.commit()
    assert [p.title for p in db.session.query(LivelihoodProject)] == ["甲项目"]
