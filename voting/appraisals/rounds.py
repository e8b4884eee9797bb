"""A campaign's ballots: round 1 in a meeting, and the re-appraisal of what was sent back."""
from dataclasses import dataclass

from sqlalchemy import select

from voting.errors import Refusal, invalid
from voting.ballots import services as ballots
from voting.ballots.models import Ballot, BallotState
from voting.ballots.reading import first_round_ballot
from voting.extensions import db
from voting.integrity import audit
from voting.meetings.models import Meeting
from voting.appraisals.models import AppraisalCampaign, AppraisalItem, Rereport
from voting.rules import APPRAISAL, OUTCOME_NAMES
from voting.rules.exact import percent_text, rounded_half_up, stored_fraction
from voting.appraisals.campaigns import REREPORT, VERDICT_NAMES, _date, conflict


def meetings_for(campaign: AppraisalCampaign) -> list[Meeting]:
    return list(db.session.scalars(select(Meeting).where(Meeting.body_id == campaign.body_id,
                                                         Meeting.closed_at.is_(None)).order_by(Meeting.id.desc())))


def create_ballot(campaign: AppraisalCampaign, meeting: Meeting, actor: str) -> Ballot:
    """Round 1: a draft `appraisal` ballot in `meeting` holding the campaign's items
    (reference "project:<id>" / "official:<id>"), with the campaign's options and rule."""
    if meeting.body_id != campaign.body_id:
        raise Refusal(404, "not_found", "未找到该会议。")
    if campaign.ballot_id is not None:
        raise conflict("本次测评已经生成过表决。")
    if meeting.closed_at is not None:
        raise conflict("会议已经结束，不能再新建表决。")
    if not campaign.items:
        raise invalid({"items": "请先添加测评项目。"}, "invalid_items")
    items = [{"title": item.title[:200], "reference": item.reference,
              "description": f"责任单位：{item.department}" if item.department else ""} for item in campaign.items]
    ballot = ballots.new_ballot(meeting, kind=APPRAISAL, title=campaign.title, items=items,
                                 rule=campaign.rule, options=campaign.options)
    campaign.meeting_id, campaign.ballot_id = meeting.id, ballot.id
    audit.record("ballot_created", actor=actor, subject=f"ballot:{ballot.id}", body_id=ballot.body_id,
                 details={"kind": APPRAISAL, "title": ballot.title, "items": len(items), "seats": None,
                          "appraisal": campaign.id})
    db.session.commit()
    return ballot


def rounds(campaign: AppraisalCampaign) -> list[Ballot]:
    """Round 1 and every re-appraisal after it, in order."""
    chain, ballot, seen = [], campaign.ballot, set()
    while ballot is not None and ballot.id not in seen:
        chain.append(ballot)
        seen.add(ballot.id)
        ballot = db.session.scalar(select(Ballot).where(Ballot.parent_id == ballot.id).order_by(Ballot.id).limit(1))
    return chain


def sheet_of(ballot: Ballot) -> dict | None:
    return ballots.stored_sheet(ballot) if ballot.results_available else None


def _entries_by_reference(ballot: Ballot, sheet: dict | None) -> dict:
    """reference → (BallotItem, sheet entry or None)."""
    by_id = {str(entry["id"]): entry for entry in (sheet or {}).get("items", [])}
    return {item.reference: (item, by_id.get(str(item.id))) for item in ballot.items if item.reference}


def display_rate(entry: dict | None) -> str:
    if not entry or entry.get("rate") is None:
        return "—"
    return percent_text(stored_fraction(entry["rate"]))


def display_score(value) -> str:
    if value is None:
        return "—"
    return rounded_half_up(stored_fraction(value), 2)


def result_words(entry: dict | None) -> str:
    if entry is None:
        return "—"
    if entry.get("verdict"):
        word = VERDICT_NAMES.get(entry["verdict"], entry["verdict"])
        return word + ("，须再办理、再报告" if entry["outcome"] == REREPORT else "")
    if entry.get("grade"):
        return entry["grade"] + ("，须再办理、再报告" if entry["outcome"] == REREPORT else "")
    return entry.get("outcome_text") or OUTCOME_NAMES.get(entry["outcome"], entry["outcome"])


@dataclass
class RoundRow:
    ballot: Ballot
    item: object          # the BallotItem of this round
    entry: dict | None     # the sheet entry (None before close)
    rereport: Rereport | None

    @property
    def round(self) -> int:
        return self.ballot.round

    @property
    def rate(self) -> str:
        return display_rate(self.entry)

    @property
    def score(self) -> str:
        return display_score(self.entry.get("score")) if self.entry else "—"

    @property
    def result(self) -> str:
        if self.entry is None:
            return BallotState(self.ballot.state).label
        return result_words(self.entry)


def item_history(item: AppraisalItem) -> list[RoundRow]:
    """Round 1 → re-report → round 2 → …: each round that holds the item."""
    rereports = {r.ballot_id: r for r in item.rereports}
    rows = []
    for ballot in rounds(item.campaign):
        found = _entries_by_reference(ballot, sheet_of(ballot)).get(item.reference)
        if found is None:
            continue
        ballot_item, entry = found
        rows.append(RoundRow(ballot, ballot_item, entry, rereports.get(ballot.id)))
    return rows


def final_outcome(item: AppraisalItem) -> str | None:
    history = item_history(item)
    if not history or history[-1].entry is None:
        return None
    return history[-1].entry["outcome"]


def latest_round(campaign: AppraisalCampaign) -> Ballot | None:
    chain = rounds(campaign)
    return chain[-1] if chain else None


def failing_items(campaign: AppraisalCampaign, ballot: Ballot) -> list[tuple[AppraisalItem, dict]]:
    """Items of this round that are re-report required, by the signed sheet."""
    entries = _entries_by_reference(ballot, sheet_of(ballot))
    out = []
    for item in campaign.items:
        found = entries.get(item.reference)
        if found and found[1] and found[1]["outcome"] == REREPORT:
            out.append((item, found[1]))
    return out


def mark_rereports(campaign: AppraisalCampaign, due_date, actor: str) -> list[Rereport]:
    """After close: every item under the threshold gets a 再办理、再报告 record with a
    due date for its department. Idempotent for items already marked."""
    ballot = latest_round(campaign)
    if ballot is None or not ballot.results_available:
        raise conflict("测评表决结束后才能标记须再办理、再报告的项目。")
    due, problem = _date(due_date, "再报告期限")
    if problem:
        raise invalid({"due_date": problem}, "invalid_due_date")
    failing = failing_items(campaign, ballot)
    if not failing:
        raise conflict("本轮没有须再办理、再报告的项目。")
    marked = {r.item_id for r in db.session.scalars(select(Rereport).where(Rereport.ballot_id == ballot.id))}
    created = []
    for item, entry in failing:
        if item.id in marked:
            continue
        created.append(Rereport(item_id=item.id, body_id=campaign.body_id, ballot_id=ballot.id, round=ballot.round,
                                department=item.department or "", due_date=due,
                                rate=entry.get("rate") or entry.get("score"), created_by=actor))
    if not created:
        raise conflict("本轮须再办理、再报告的项目都已标记。")
    db.session.add_all(created)
    db.session.flush()
    audit.record("rereports_marked", actor=actor, subject=f"ballot:{ballot.id}", body_id=campaign.body_id,
                 details={"appraisal": campaign.id, "items": [r.item_id for r in created],
                          "due_date": due.isoformat()})
    db.session.commit()
    return created


def reappraisal_problems(campaign: AppraisalCampaign) -> list[str]:
    """What stops the re-appraisal round (empty when it may start)."""
    ballot = latest_round(campaign)
    if ballot is None or not ballot.results_available:
        return ["本轮测评尚未结束。"]
    failing = failing_items(campaign, ballot)
    if not failing:
        return ["本轮没有须再办理、再报告的项目。"]
    reports = {r.item_id: r for r in db.session.scalars(select(Rereport).where(Rereport.ballot_id == ballot.id))}
    problems = []
    for item, _ in failing:
        report = reports.get(item.id)
        if report is None:
            problems.append(f"“{item.title}”尚未标记再办理、再报告。")
        elif not report.submitted:
            problems.append(f"“{item.title}”的责任单位（{report.department or '未设定'}）尚未提交再报告。")
    return problems


def start_reappraisal(campaign: AppraisalCampaign, actor: str, meeting: Meeting | None = None) -> Ballot:
    """The core's re-appraisal: a new draft round (round + 1, parent = this round)
    of the items that were rereport_required, in `meeting` (default: the meeting of
    the last round); round 1 is never touched. Refused until every such item has
    been marked and its department has submitted the re-report."""
    problems = reappraisal_problems(campaign)
    if problems:
        raise Refusal(409, "reappraisal_not_ready", "；".join(problems), {"reappraisal": problems})
    if meeting is not None and meeting.body_id != campaign.body_id:
        raise Refusal(404, "not_found", "没有这次会议。")
    return ballots.start_reappraisal(latest_round(campaign), actor=actor, meeting=meeting)


def campaign_of_ballot(ballot: Ballot) -> AppraisalCampaign | None:
    """The campaign whose round 1 is this ballot or one of its ancestors, if any."""
    root = first_round_ballot(ballot)
    return db.session.scalar(select(AppraisalCampaign).where(AppraisalCampaign.ballot_id == root.id))


def reappraise(ballot: Ballot, actor: str, meeting: Meeting | None = None) -> Ballot:
    """The next round of a closed appraisal ballot, decided one way for the API and the
    pages: a campaign's ballot goes through its re-report cycle (`start_reappraisal`,
    409 reappraisal_not_ready until every department has re-reported); any other
    appraisal ballot gets the core's re-appraisal round at once."""
    campaign = campaign_of_ballot(ballot)
    if campaign is not None:
        return start_reappraisal(campaign, actor, meeting=meeting)
    return ballots.start_reappraisal(ballot, actor=actor, meeting=meeting)
