"""Later rounds: a runoff for seats left open, a re-appraisal of reports sent back."""
import re

from sqlalchemy import select

from voting.ballots.models import Ballot, BallotItem
from voting.ballots.creating import new_ballot
from voting.ballots.lifecycle import lock_ballot
from voting.ballots.reading import stored_sheet
from voting.extensions import db
from voting.integrity import audit
from voting.errors import Refusal, invalid_transition
from voting.meetings.models import Meeting
from voting.rules import APPRAISAL, SELECTION


ROUND_SUFFIX = re.compile(r"（第\d+轮）$")


def _round_title(parent: Ballot) -> str:
    return f"{ROUND_SUFFIX.sub('', parent.title)}（第{parent.round + 1}轮）"


def has_next_round(ballot: Ballot) -> bool:
    """Whether a runoff or re-appraisal round has been made from this ballot (in any meeting)."""
    return db.session.scalar(select(Ballot.id).where(Ballot.parent_id == ballot.id).limit(1)) is not None


def _next_round(parent: Ballot, items: list[BallotItem], *, seats: int | None, action: str, actor: str,
                meeting: Meeting | None = None) -> Ballot:
    """The next round, in the parent's meeting or in a later, still running meeting of
    the same body (a re-appraisal usually comes months after round 1)."""
    if has_next_round(parent):
        raise invalid_transition("已为这项表决发起过下一轮。")
    target = meeting if meeting is not None else parent.meeting
    if target.body_id != parent.body_id:
        raise Refusal(404, "not_found", "没有这次会议。")
    if target.closed_at is not None:
        raise invalid_transition(f"会议“{target.name}”已经结束，请在一次尚未结束的会议中发起下一轮。")
    child = new_ballot(
        target, kind=parent.kind, title=_round_title(parent), seats=seats, secret=bool(parent.secret),
        rule=parent.rule, options=parent.options if parent.kind == APPRAISAL else None, parent=parent,
        rehearsal=bool(parent.rehearsal), duration_seconds=parent.duration_seconds,
        items=[{"title": item.title, "description": item.description, "reference": item.reference,
                "source_item_id": item.id} for item in items])
    audit.record(action, actor=actor, subject=f"ballot:{child.id}", body_id=child.body_id,
                 details={"parent": parent.id, "round": child.round, "items": len(items), "seats": seats})
    db.session.commit()
    return child


def _finished_sheet(ballot: Ballot, kind: str, what: str) -> dict:
    if ballot.kind != kind or not ballot.results_available:
        raise invalid_transition(f"只有已结束的{what}才能发起下一轮。")
    sheet = stored_sheet(ballot)
    if sheet is None or sheet.get("void"):
        raise invalid_transition("这项表决无效，应重新表决，而不是发起下一轮。")
    return sheet


def start_runoff(ballot: Ballot, *, actor: str = "") -> Ballot:
    """再次投票: a new draft selection ballot (round + 1) among the items tied at the
    cut-off for the seats still open, or else among the items that did not pass
    for the unfilled seats. 409 invalid_transition when there is nothing to decide."""
    ballot = lock_ballot(ballot.id, for_update=True)
    sheet = _finished_sheet(ballot, SELECTION, "项目票决")
    by_id = {str(item.id): item for item in ballot.items}
    if sheet["runoff"]:
        keys_, seats = sheet["runoff"]["items"], sheet["runoff"]["seats"]
    elif sheet["seats_unfilled"] > 0:
        keys_ = [entry["id"] for entry in sheet["items"] if entry["outcome"] == "failed"]
        seats = min(sheet["seats_unfilled"], len(keys_))
    else:
        raise invalid_transition("这项票决没有得票相等或未选满的名额，无需再次投票。")
    if not keys_:
        raise invalid_transition("没有可以再次投票的项目。")
    items = sorted((by_id[key] for key in keys_), key=lambda item: item.position)
    return _next_round(ballot, items, seats=seats, action="runoff_created", actor=actor)


def start_reappraisal(ballot: Ballot, *, actor: str = "", meeting: Meeting | None = None) -> Ballot:
    """A new draft appraisal (round + 1) of the items that were rereport_required,
    with the same options and rule, in `meeting` (default: the same meeting); round 1
    stays as it is."""
    ballot = lock_ballot(ballot.id, for_update=True)
    sheet = _finished_sheet(ballot, APPRAISAL, "满意度测评")
    failing = {entry["id"] for entry in sheet["items"] if entry["outcome"] == "rereport_required"}
    if not failing:
        raise invalid_transition("没有须再办理、再报告的项目，无需再次测评。")
    items = [item for item in ballot.items if str(item.id) in failing]
    return _next_round(ballot, items, seats=None, action="reappraisal_created", actor=actor, meeting=meeting)
