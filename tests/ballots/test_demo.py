"""The demo sitting: seeded through the services, published, and `flask verify` passes."""
import json

from sqlalchemy import select

from voting.ballots.models import Ballot, TallySheet
from voting.demo import MAIN_MEETING
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.tellers import demo as tellers_demo


def test_demo_has_a_published_verified_ballot(app):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    assert "已公布" in result.output
    main = db.session.scalars(select(Meeting).where(Meeting.name == MAIN_MEETING)).one()
    ballot = db.session.scalars(select(Ballot).where(Ballot.state == "published", Ballot.meeting_id == main.id)).one()
    sheet = json.loads(db.session.scalar(select(TallySheet.sheet_json).where(TallySheet.ballot_id == ballot.id)))
    assert sheet["total"] == 200 and sheet["issued"] == 180 and sheet["cast"] == 180
    assert sum(1 for item in sheet["items"] if item["outcome"] == "selected") == 10
    assert sheet["runoff"] is None
    again = runner.invoke(args=["seed-demo", "--password", "demo-password"])
    assert again.exit_code == 0 and len(db.session.scalars(select(Ballot)).all()) == 2  # and the tellers' demo
    verified = runner.invoke(args=["verify"])
    assert verified.exit_code == 0, verified.output
    assert "与计票单一致" in verified.output


def test_demo_idempotency_keys_are_random(app, monkeypatch):
    """Keys from a fixed seed would let anyone with the database and the installation
    key recompute them and so link each demo deputy to its receipt."""
    import re

    from voting.ballots import services

    keys, cast_vote = [], services.cast_vote

    def recording(ballot, deputy, choices, idempotency_key, **encrypted):
        keys.append(idempotency_key)
        return cast_vote(ballot, deputy, choices, idempotency_key, **encrypted)

    monkeypatch.setattr(services, "cast_vote", recording)
    result = app.test_cli_runner().invoke(args=["seed-demo", "--password", "demo-password"])
    assert result.exit_code == 0, result.output
    cast = 180 + len(tellers_demo.CASTS)  # the main sitting and the tellers' demo (voting/tellers/demo.py)
    assert len(keys) == cast and len(set(keys)) == cast
    assert all(re.fullmatch(r"demo-[0-9a-f]{32}", key) for key in keys), keys[:3]
