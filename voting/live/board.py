"""What the session pages show, read in one place: the hall screen, the leader view,
the console's meeting and ballot pages. Counts come only from the signed tally sheet
stored at close, or (while open, and only when the meeting chose live counts for the
hall screen) from counting the sealed ballots through the same rules."""
from voting.ballots import services as ballots
from voting.ballots.models import Ballot, BallotState
from voting.meetings import attendance, services as meetings
from voting.meetings.models import Meeting
from voting.rules import OPTION_NAMES, rule_from_json, rule_text

SHARE_SCALE = 1000  # bar widths in tenths of a percent, integer arithmetic


def share(part: int, whole: int) -> str:
    """A bar width for CSS ("37.5%"); display only."""
    if whole <= 0:
        return "0%"
    tenths = part * SHARE_SCALE // whole
    return f"{tenths // 10}.{tenths % 10}%"


def option_label(option: str) -> str:
    return OPTION_NAMES.get(option, option)


def progress_of(ballot: Ballot) -> dict:
    figures = ballots.progress(ballot)
    issued, cast = figures["issued"], figures["cast"]
    return {"issued": issued, "cast": cast, "voted": figures["voted"], "not_voted": max(issued - figures["voted"], 0),
            "width": share(cast, issued)}


def results_of(sheet: dict) -> dict:
    """The tally sheet as a table: one column per option (赞成 反对 弃权, or the
    appraisal options), the outcome in words, and bar widths for the chart."""
    options = list(sheet.get("ballot", {}).get("options") or [])  # the ballot's order (赞成 反对 弃权)
    for item in sheet["items"]:
        for option in sorted(item["counts"], key=lambda o: (o != "abstain", o)):  # then 弃权, then the rest
            if option not in options:
                options.append(option)
    rows = []
    for item in sheet["items"]:
        counts = item["counts"]
        marked = sum(counts.values())
        rows.append({
            "id": item["id"], "title": item["title"], "counts": [counts.get(option, 0) for option in options],
            "outcome": item["outcome"], "outcome_text": item.get("outcome_text") or item["outcome"],
            "rate": item.get("rate"), "rank": item.get("rank"), "score": item.get("score"), "grade": item.get("grade"),
            "bars": [{"option": option, "label": option_label(option), "width": share(counts.get(option, 0), marked)}
                     for option in options],
        })
    return {"options": options, "labels": [option_label(o) for o in options], "rows": rows,
            "total": sheet["total"], "issued": sheet["issued"], "cast": sheet["cast"], "valid": sheet["valid"],
            "invalid": sheet["invalid"], "not_voted": sheet["not_voted"], "void": sheet.get("void", False),
            "rule_text": sheet["rule_text"], "runoff": sheet.get("runoff"),
            "seats_unfilled": sheet.get("seats_unfilled", 0)}


def live_counts_of(ballot: Ballot) -> dict | None:
    """Running counts of an open ballot for the hall screen of a meeting that chose
    them; None otherwise. Counted from the sealed ballots, never stored."""
    if ballot.state != BallotState.open.value or not ballot.meeting.live_counts or ballot.with_tellers:
        return None  # under tellers nobody can count before k of them decrypt the sums
    try:
        sheet = ballots.count_ballot(ballot)
    except ballots.CountError:
        return None
    table = results_of(sheet)
    for row in table["rows"]:
        row["outcome_text"] = ""
    return table


def ballot_entry(ballot: Ballot, *, with_live_counts: bool = False) -> dict:
    entry = {"ballot": ballot, "state": ballot.state, "state_text": ballot.state_enum.label,
             "progress": progress_of(ballot) if ballot.state != BallotState.draft.value else None,
             "results": None, "live_counts": None}
    if ballot.results_available:
        sheet = ballots.stored_sheet(ballot)
        entry["results"] = results_of(sheet) if sheet else None
    elif with_live_counts:
        entry["live_counts"] = live_counts_of(ballot)
    return entry


def hall_board(meeting: Meeting) -> dict:
    """The hall screen: attendance, the ballots being voted on (progress; counts only
    with live counts), and else the latest result."""
    all_ballots = [b for b in ballots.ballots_of_meeting(meeting) if b.state != BallotState.draft.value]
    open_ballots = [ballot_entry(b, with_live_counts=True) for b in all_ballots if b.state == BallotState.open.value]
    finished = [b for b in all_ballots if b.results_available]
    latest = max(finished, key=lambda b: (b.closed_at or b.opened_at, b.id)) if finished else None
    entry = None
    if latest is not None and not open_ballots:
        # The meeting's display policy: a closed ballot's result waits for 公布 where it says so.
        entry = ballot_entry(latest) if latest.results_shown else {
            "ballot": latest, "state": latest.state, "results": None, "awaiting_publish": True}
    return {"meeting": meeting, "figures": attendance.day_figures(meeting), "open": open_ballots,
            "latest": entry}


def meeting_board(meeting: Meeting, *, include_drafts: bool = True) -> dict:
    """The console and leader view: attendance and every ballot with its progress
    and, once closed, its result."""
    entries = [ballot_entry(b) for b in ballots.ballots_of_meeting(meeting)
               if include_drafts or b.state != BallotState.draft.value]
    return {"meeting": meeting, "figures": attendance.day_figures(meeting), "ballots": entries}


def ballot_board(ballot: Ballot, *, with_not_voted: bool) -> dict:
    """The console's ballot page: progress, who has not voted (names only, while
    open), the result after close, and whether a runoff or re-appraisal can follow."""
    entry = ballot_entry(ballot)
    not_voted = (ballots.deputies_not_voted(ballot)
                 if with_not_voted and ballot.state == BallotState.open.value else [])
    results = entry["results"]
    next_round_done = ballots.has_next_round(ballot)
    can_runoff = bool(results and ballot.kind == "selection" and not results["void"] and not next_round_done
                      and (results["runoff"] or results["seats_unfilled"] > 0))
    can_reappraise = bool(results and ballot.kind == "appraisal" and not results["void"] and not next_round_done
                          and any(row["outcome"] == "rereport_required" for row in results["rows"]))
    campaign = None
    if ballot.kind == "appraisal":
        from voting.appraisals.services import campaign_of_ballot

        campaign = campaign_of_ballot(ballot)
    text = results["rule_text"] if results else rule_text(ballot.kind, rule_from_json(ballot.kind, ballot.rule),
                                                          ballot.seats)
    checks = None
    if ballot.with_tellers and ballot.state == BallotState.open.value:
        from voting.tellers.checking import check_counts  # tellers build on ballots

        checks = check_counts(ballot.id)
    return {**entry, "not_voted": not_voted, "can_runoff": can_runoff, "can_reappraise": can_reappraise,
            "campaign_id": campaign.id if campaign is not None else None,
            "figures": attendance.day_figures(ballot.meeting), "rule_text": text, "checks": checks}


def meetings_for(body_ids: set[int]) -> list[dict]:
    """The meetings of these bodies, newest first, each with its attendance."""
    from sqlalchemy import select

    from voting.extensions import db

    rows = db.session.scalars(select(Meeting).where(Meeting.body_id.in_(body_ids)).order_by(Meeting.id.desc()))
    return [{"meeting": m, "figures": meetings.attendance_figures(m)} for m in rows]
