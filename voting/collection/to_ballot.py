"""The candidate list put to the congress: a selection ballot (项目票决) in one transaction."""

from sqlalchemy import select

from voting.inputlimits import id_from
from voting.errors import Refusal, invalid
from voting.collection.models import Candidate
from voting.ballots.services import draft_ballot
from voting.extensions import db, one_action
from voting.meetings.models import Meeting
from voting.integrity import audit
from voting.collection.candidates import candidates_of
from voting.collection.texts import clean_text


def open_meetings(body_id: int) -> list:
    return list(db.session.execute(
        select(Meeting).filter_by(body_id=body_id).where(Meeting.closed_at.is_(None))
        .order_by(Meeting.id.desc())).scalars())


def ballot_items(candidates: list[Candidate]) -> list[dict]:
    """The items of a selection ballot for these candidates; each refers back to its
    candidate ("candidate:<id>"), which is how supervision finds the candidate later."""
    items = []
    for candidate in candidates:
        facts = [f"预算 {candidate.budget:,.2f} 万元", f"责任单位：{candidate.department}"]
        if candidate.planned_completion:
            facts.append(f"计划完成：{candidate.planned_completion.isoformat()}")
        description = "；".join(facts) + ("\n" + candidate.description if candidate.description else "")
        items.append({"title": candidate.title, "description": description, "reference": f"candidate:{candidate.id}"})
    return items


class NoMargin(Refusal):
    """Candidates do not exceed seats (no 差额): allowed only when confirmed. The form
    shows `count` and `seats` next to the box that confirms it."""

    def __init__(self, count: int, seats: int):
        self.count, self.seats = count, seats
        super().__init__(409, "no_margin",
                         f"候选项目 {count} 个、应选 {seats} 个，没有差额（候选数应多于应选数）。"
                         "如确需等额票决，请勾选确认后再提交。")


@one_action
def candidates_to_ballot(body_id: int, year: int, *, meeting_id, title, seats, secret: bool = True,
                         confirm_no_margin: bool = False, actor: str):
    """Turn the draft candidates of `year` into a draft selection ballot of the meeting.

    The ballot, its items, the candidates' new state, their `ballot_id` and the audit
    entries are one commit: a refusal anywhere leaves nothing."""

    candidates = [c for c in candidates_of(body_id, year) if c.state == "draft"]
    if not candidates:
        raise Refusal(409, "invalid_transition", f"{year} 年没有待提交票决的候选项目。")
    meeting = db.session.get(Meeting, id_from(meeting_id)) if id_from(meeting_id) is not None else None
    if meeting is None or meeting.body_id != body_id:
        raise invalid({"meeting_id": "请选择本机构的会议。"}, "invalid_ballot")
    title, problem = clean_text(title, "表决名称", required=True, min_length=2, max_length=200)
    if problem:
        raise invalid({"title": problem}, "invalid_ballot")
    try:
        seats = int(str(seats).strip())
    except (TypeError, ValueError):
        raise invalid({"seats": "应选数必须是正整数。"}, "invalid_ballot")
    if not 1 <= seats <= len(candidates):
        raise invalid({"seats": f"应选数必须在 1 到候选项目数（{len(candidates)}）之间。"}, "invalid_ballot")
    if len(candidates) <= seats and not confirm_no_margin:
        raise NoMargin(len(candidates), seats)
    for candidate in candidates:
        candidate.state = "balloted"
    audit.record("candidates_balloted", actor=actor, subject=f"meeting:{meeting.id}", body_id=body_id,
                 details={"year": year, "candidates": [c.id for c in candidates], "seats": seats,
                          "no_margin_confirmed": len(candidates) <= seats})
    ballot = draft_ballot(meeting, kind="selection", title=title, items=ballot_items(candidates), seats=seats,
                          secret=bool(secret), actor=actor)
    for item, candidate in zip(sorted(ballot.items, key=lambda item: item.position), candidates):
        candidate.ballot_id = ballot.id
        item.candidate_id = candidate.id  # the link supervision follows (a foreign key, not the reference text)
    db.session.commit()
    return ballot
