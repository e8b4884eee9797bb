"""Appraisal fixtures: projects with departments, a sitting whose deputies vote
through the core's real cast service, and logged-in browser clients."""
import uuid

import pytest
from sqlalchemy import select

from tests.factories import gen_user
from voting.ballots import services as ballots
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.meetings import services as meetings
from voting.meetings.models import Deputy
from voting.tracking.models import LivelihoodProject

YEAR = 2026


def make_project(body, title="城区老旧小区改造", department="县住建局", year=YEAR):
    project = LivelihoodProject(body_id=body.id, year=year, title=title, department=department)
    db.session.add(project)
    db.session.commit()
    return project


class Hall:
    """A meeting with `size` deputies, all checked in; votes go through
    voting.ballots.services.cast_vote, exactly as the tablet API casts them."""

    def __init__(self, body, size):
        self.meeting = meetings.create_meeting(body.id, "县人大常委会第二十次会议", year=YEAR)
        db.session.commit()
        rows = [(i + 2, {"name": f"委员{i:03d}", "delegation": "", "number": f"{i:03d}"}) for i in range(size)]
        meetings.import_roster(self.meeting, rows, actor="test")
        self.deputies = list(db.session.scalars(select(Deputy).where(Deputy.meeting_id == self.meeting.id)
                                                .order_by(Deputy.number)))
        for deputy in self.deputies:
            meetings.check_in(self.meeting, deputy, actor="test", by_staff=True)

    def run(self, ballot_id: int, plan: list[tuple[int, dict]]):
        """Open the ballot, cast `count` ballots with each choice map, close it; the
        tally sheet the core signed."""
        ballot = db.session.get(Ballot, ballot_id)
        ballots.open_ballot(ballot, actor="test")
        voters = iter(self.deputies)
        for count, choices in plan:
            for _ in range(count):
                receipt, created = ballots.cast_vote(db.session.get(Ballot, ballot_id), next(voters),
                                                     {str(k): v for k, v in choices.items()}, uuid.uuid4().hex)
                assert created and receipt
        return ballots.close_ballot(db.session.get(Ballot, ballot_id), actor="test")


@pytest.fixture
def secretariat(secretariat_client):
    return secretariat_client


@pytest.fixture
def departments(app, body):
    return {"住建": gen_user("department", body, department="县住建局"),
            "教育": gen_user("department", body, department="县教育局")}
