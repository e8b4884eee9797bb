"""Anonymous comments keep no order of writing once the meeting ends (issue #19): the
meeting's close rewrites them in random-id order in its own transaction (on PostgreSQL
one xmin for all, heap order = id order) and then scrubs the storage (SQLite: the
write-ahead log is truncated, no rowid exists to sort by)."""
import json
import os

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DatabaseError

from tests.appraisals.conftest import YEAR, Hall
from voting.appraisals import services
from voting.appraisals.models import AppraisalCampaign, AppraisalComment, AppraisalItem, Official
from voting.extensions import db
from voting.meetings import services as meetings


@pytest.fixture
def commented(app, body):
    hall = Hall(body, 6)
    campaign = AppraisalCampaign(body_id=body.id, year=YEAR, title="述职评议", options_json=json.dumps(["a", "b"]),
                                 rule_json="{}", meeting_id=hall.meeting.id)
    db.session.add(campaign)
    db.session.flush()
    for position, name in enumerate(("王建国", "李秀英"), start=1):
        official = Official(body_id=body.id, name=name, post="局长", department="县住建局")
        db.session.add(official)
        db.session.flush()
        db.session.add(AppraisalItem(campaign_id=campaign.id, body_id=body.id, kind="official",
                                     position=position, official_id=official.id))
    db.session.commit()
    items = [str(item.id) for item in db.session.get(AppraisalCampaign, campaign.id).items]
    for index, deputy in enumerate(hall.deputies):  # one transaction per deputy, as on the tablets
        services.add_comments(deputy, db.session.get(AppraisalCampaign, campaign.id),
                              {items[index % 2]: f"意见{index}"})
    return hall


def _wal_size(database_url: str) -> int:
    path = database_url[len("sqlite:///"):] + "-wal"
    return os.path.getsize(path) if os.path.exists(path) else 0


def test_the_meetings_close_rewrites_comments_in_id_order(commented, database_url):
    before = sorted(db.session.scalars(select(AppraisalComment.text)))
    if db.engine.dialect.name == "postgresql":
        xmins = db.session.scalars(text("SELECT DISTINCT xmin::text FROM appraisal_comment")).all()
        assert len(xmins) == 6  # one transaction per comment while the meeting runs
    meetings.close_meeting(commented.meeting, actor="test")
    db.session.remove()
    assert sorted(db.session.scalars(select(AppraisalComment.text))) == before
    if db.engine.dialect.name == "postgresql":
        xmins = db.session.scalars(text("SELECT DISTINCT xmin::text FROM appraisal_comment")).all()
        assert len(xmins) == 1
        physical = db.session.scalars(text("SELECT id FROM appraisal_comment ORDER BY ctid")).all()
        assert physical == sorted(physical)
    else:
        with pytest.raises(DatabaseError):
            db.session.execute(text("SELECT rowid FROM appraisal_comment")).all()
        db.session.rollback()
        db.session.remove()
        assert _wal_size(database_url) == 0
