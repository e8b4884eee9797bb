"""Projects from selection results: each selected item of a published selection ballot
becomes a tracked project (民生实事项目), in the publishing transaction."""

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from voting.inputlimits import id_from
from voting.accounts.models import utcnow
from voting.errors import Refusal
from voting.ballots.models import Ballot, BallotItem, TallySheet
from voting.collection.models import Candidate
from voting.ballots.reading import first_round_item
from voting.extensions import db
from voting.integrity import audit
from voting.tracking.models import LivelihoodProject


SELECTED = "selected"
RESULT_STATES = ("closed", "published")


def selected_item_ids(ballot: Ballot, session: Session | None = None) -> list[int]:
    """Ids of the items the ballot's signed tally sheet marks `selected`."""
    session = session or db.session
    sheet = next((obj for obj in session.new if isinstance(obj, TallySheet) and obj.ballot_id == ballot.id), None)
    if sheet is None:
        sheet = session.execute(select(TallySheet).filter_by(ballot_id=ballot.id)).scalar_one_or_none()
    if sheet is None:
        return []
    known = {str(item.id): item.id for item in ballot.items}
    return [known[str(entry.get("id"))] for entry in sheet.sheet.get("items", [])
            if entry.get("outcome") == SELECTED and str(entry.get("id")) in known]


def candidate_for_item(item: BallotItem, session: Session | None = None) -> Candidate | None:
    """The candidate (collection) a ballot item stands for: its round-1 item's
    `candidate_id`; for items written before that column, the reference "candidate:<id>",
    else the one candidate of the list that became this ballot with the same title."""
    session = session or db.session
    root = first_round_item(item)
    body_id = item.ballot.body_id
    if root.candidate_id is not None:
        return session.get(Candidate, root.candidate_id)
    reference = root.reference or ""
    if reference.startswith("candidate:") and id_from(reference[len("candidate:"):]) is not None:
        candidate = session.get(Candidate, int(reference[len("candidate:"):]))
        if candidate is not None and candidate.body_id == body_id:
            return candidate
    matches = list(session.execute(
        select(Candidate).filter_by(body_id=body_id, ballot_id=root.ballot_id, title=root.title)).scalars())
    return matches[0] if len(matches) == 1 else None


def _year_of(ballot: Ballot, candidate: Candidate | None) -> int:
    if candidate is not None:
        return candidate.year
    if ballot.meeting is not None and ballot.meeting.year:
        return ballot.meeting.year
    return (ballot.created_at or utcnow()).year


def _add_projects(ballot: Ballot, session: Session) -> list[LivelihoodProject]:
    """Add (not commit) a project for every selected item that has none yet."""
    wanted = selected_item_ids(ballot, session)
    if not wanted:
        return []
    existing = set(session.execute(
        select(LivelihoodProject.ballot_item_id).where(LivelihoodProject.ballot_item_id.in_(wanted))).scalars())
    existing |= {obj.ballot_item_id for obj in session.new if isinstance(obj, LivelihoodProject)}
    items = {item.id: item for item in ballot.items}
    created = []
    for item_id in wanted:
        if item_id in existing:
            continue
        item = items[item_id]
        candidate = candidate_for_item(item, session)
        project = LivelihoodProject(
            body_id=ballot.body_id, year=_year_of(ballot, candidate), title=item.title,
            description=(candidate.description if candidate is not None and candidate.description
                         else item.description or ""),
            department=candidate.department if candidate is not None else "",
            budget=candidate.budget if candidate is not None else None,
            planned_completion=candidate.planned_completion if candidate is not None else None,
            status="not_started", progress=0, ballot_item_id=item.id,
            candidate_id=candidate.id if candidate is not None else None,
        )
        session.add(project)
        created.append(project)
    return created


def projects_from_ballot(ballot: Ballot, actor: str = "system") -> list[LivelihoodProject]:
    """Track every item `selected` in a closed or published selection ballot (a runoff
    round adds its own selected items). Idempotent: items already tracked are skipped.
    Returns the projects created now; commits."""
    # Lock the ballot row as publishing does, so that a publish (whose hook adds the
    # same projects) and this generation never run side by side.
    ballot = db.session.execute(select(Ballot).where(Ballot.id == ballot.id).with_for_update()
                                .execution_options(populate_existing=True)).scalar_one()
    if ballot.kind != "selection":
        raise Refusal(409, "not_selection_ballot", "只有项目票决的结果才能生成督办项目。")
    if ballot.state not in RESULT_STATES:
        raise Refusal(409, "results_not_available", "表决尚未结束，暂不能生成项目。")
    if ballot.rehearsal:
        raise Refusal(409, "rehearsal_not_published", "试表决的结果不生成督办项目。")
    created = _add_projects(ballot, db.session)
    if not created:
        return []
    try:
        db.session.flush()
        audit.record("projects_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                     details={"projects": [[p.id, p.ballot_item_id, p.title] for p in created]})
        db.session.commit()
    except IntegrityError:
        # Someone else generated the same projects at the same moment; theirs stand.
        db.session.rollback()
        return []
    return created


def track_published_selection(ballot: Ballot) -> list[LivelihoodProject]:
    """Called by `ballots.services.publish_ballot` for a selection ballot: its selected
    items become tracked projects in the publishing transaction, so that the public
    list always holds every published selection."""
    with db.session.no_autoflush:
        return _add_projects(ballot, db.session)


def result_ballots(body_id: int) -> list[dict]:
    """Closed and published selection ballots of a body, with what they yielded."""
    ballots = db.session.execute(
        select(Ballot).where(Ballot.body_id == body_id, Ballot.kind == "selection", Ballot.state.in_(RESULT_STATES),
                      Ballot.rehearsal.is_(False))
        .order_by(Ballot.id.desc())).scalars()
    rows = []
    for ballot in ballots:
        wanted = selected_item_ids(ballot)
        tracked = set(db.session.execute(select(LivelihoodProject.ballot_item_id)
                                         .where(LivelihoodProject.ballot_item_id.in_(wanted))).scalars()) \
            if wanted else set()
        rows.append({"ballot": ballot, "selected": len(wanted), "tracked": len(tracked),
                     "missing": len(set(wanted) - tracked)})
    return rows
