"""The appraisal demo seeds officials and draft campaigns, once."""
from sqlalchemy import func, select

from tests.appraisals.conftest import make_project
from voting.appraisals import demo
from voting.appraisals.models import AppraisalCampaign, Official
from voting.extensions import db


def test_demo_is_idempotent(app, body):
    make_project(body)
    assert demo.seed({"main": body})
    db.session.commit()
    assert demo.seed({"main": body}) == []
    assert db.session.scalar(select(func.count()).select_from(AppraisalCampaign)) == 2
    assert db.session.scalar(select(func.count()).select_from(Official)) == 8
