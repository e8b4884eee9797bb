"""Supervision fixtures: selection ballots with signed-looking tally sheets built
directly with the ballots models, tracked projects, department accounts, images."""
import io
import json
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from tests.factories import gen_body, gen_user, login
from voting.ballots.models import Ballot, BallotItem, TallySheet
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.tracking import services
from voting.tracking.models import LivelihoodProject, Milestone

EDUCATION = "县教育局"
TRANSPORT = "县交通运输局"


def make_ballot(body, outcomes: dict[str, str], *, state: str = "closed", kind: str = "selection",
                parent: Ballot | None = None, references: dict[str, str] | None = None,
                sources: dict[str, BallotItem] | None = None, year: int = 2026) -> Ballot:
    """A ballot whose items are the keys of `outcomes` (titles) and whose stored tally
    sheet gives each the outcome named."""
    meeting = parent.meeting if parent else Meeting(body_id=body.id, name=f"测试会议{body.id}", year=year)
    if parent is None:
        db.session.add(meeting)
        db.session.flush()
    ballot = Ballot(meeting_id=meeting.id, body_id=body.id, kind=kind, title=f"{year}年民生实事项目票决",
                    seats=max(1, sum(o == "selected" for o in outcomes.values())) if kind == "selection" else None,
                    options_json=json.dumps(["yes", "no", "abstain"]), rule_json="{}", state=state,
                    round=parent.round + 1 if parent else 1, parent_id=parent.id if parent else None)
    db.session.add(ballot)
    db.session.flush()
    items = []
    for position, title in enumerate(outcomes, start=1):
        source = (sources or {}).get(title)
        items.append(BallotItem(ballot_id=ballot.id, position=position, title=title, description=f"{title}的内容",
                                reference=(references or {}).get(title),
                                source_item_id=source.id if source is not None else None))
    db.session.add_all(items)
    db.session.flush()
    if state in ("closed", "published"):
        sheet = {"ballot": {"id": str(ballot.id)},
                 "items": [{"id": str(item.id), "title": item.title, "outcome": outcomes[item.title]}
                           for item in items]}
        db.session.add(TallySheet(ballot_id=ballot.id, sheet_json=json.dumps(sheet, ensure_ascii=False)))
    db.session.commit()
    return ballot


def make_project(body, *, department: str = EDUCATION, title: str = "新建城东公办幼儿园", published: bool = True,
                 year: int = 2026) -> LivelihoodProject:
    """A project that came out of a (published, by default) selection ballot."""
    ballot = make_ballot(body, {title: "selected", f"{title}（落选）": "failed"},
                         state="published" if published else "closed", year=year)
    services.projects_from_ballot(ballot, actor="test")
    project = db.session.query(LivelihoodProject).filter_by(ballot_item_id=ballot.items[0].id).one()
    project.department = department
    db.session.commit()
    return project


def add_milestone(project, title: str, due: date, done: date | None = None) -> Milestone:
    milestone = Milestone(project_id=project.id, body_id=project.body_id, title=title, due_date=due, done_at=done)
    db.session.add(milestone)
    db.session.commit()
    return milestone


@pytest.fixture
def project(app, body):
    return make_project(body)


@pytest.fixture
def department(app, body):
    return gen_user("department", body, department=EDUCATION)


@pytest.fixture
def department_client(app, department):
    return login(app.test_client(), department)


@pytest.fixture
def other_body(app):
    return gen_body()


def image_bytes(kind: str = "PNG", size=(8, 8)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(buffer, format=kind)
    return buffer.getvalue()


def stored_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_DIR"]) / services.PHOTO_FOLDER
    return sorted(folder.iterdir()) if folder.is_dir() else []
