"""Roll-ups for a parent body (汇总): every body below it, for one year.

Selection results and budgets come from the tracked projects (one per item selected in a
published selection ballot), supervision status from the same projects, appraisal
outcomes from the stored, signed tally sheets of appraisal ballots. Nothing is recounted
here: the figures are sums of what each child body's own pages show.
"""
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from voting.accounts.models import Body
from voting.ballots.models import Ballot, TallySheet
from voting.ballots.reading import first_round_item
from voting.extensions import db
from voting.meetings.models import Meeting
from voting.rules import below_the_line
from voting.tracking.models import LivelihoodProject
from voting.tracking.services import status_counts

LEVEL_SCOPE = {"province": "全省", "city": "全市", "county": "全县", "township": "全乡镇"}
FINISHED = ("closed", "published")


@dataclass
class BodyFigures:
    body: Body
    projects: int = 0
    budget: Decimal = Decimal("0")
    departments: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    appraised: int = 0
    satisfactory: int = 0
    rereport: int = 0
    below_bar: int = 0


@dataclass
class Rollup:
    parent: Body
    year: int
    rows: list[BodyFigures]

    @property
    def projects(self) -> int:
        return sum(row.projects for row in self.rows)

    @property
    def budget(self) -> Decimal:
        return sum((row.budget for row in self.rows), Decimal("0"))

    @property
    def rereport(self) -> int:
        return sum(row.rereport for row in self.rows)

    @property
    def below_bar(self) -> int:
        return sum(row.below_bar for row in self.rows)

    @property
    def satisfactory(self) -> int:
        return sum(row.satisfactory for row in self.rows)

    @property
    def appraised(self) -> int:
        return sum(row.appraised for row in self.rows)

    def status_total(self, status: str) -> int:
        return sum(row.statuses.get(status, 0) for row in self.rows)

    @property
    def summary(self) -> str:
        scope = LEVEL_SCOPE.get(self.parent.level, "本级")
        return (f"{scope}县乡两级票决产生民生实事项目 {self.projects} 项，总投资 {format_wan(self.budget)} 万元，"
                f"满意率低于80%的 {self.below_bar} 项。")


def format_wan(amount: Decimal) -> str:
    return f"{amount.quantize(Decimal('0.01')):,}"


def descendants(parent: Body) -> list[Body]:
    """Every body below `parent`, parents before their children, siblings by name."""
    ordered, stack = [], sorted(parent.children, key=lambda b: b.name, reverse=True)
    while stack:
        body = stack.pop()
        ordered.append(body)
        stack.extend(sorted(body.children, key=lambda b: b.name, reverse=True))
    return ordered


@dataclass
class AppraisalOutcomes:
    appraised: int = 0     # items appraised (project reports and officials), each once
    satisfactory: int = 0  # of those, satisfactory in their latest round
    rereport: int = 0      # sent back for 再办理、再报告 at least once (any mode, any kind)
    below_bar: int = 0     # project reports whose latest rate-mode satisfaction rate is below 80%


def _appraisal_outcomes(body_id: int, year: int) -> AppraisalOutcomes:
    """A body's appraisal figures for a year, from the signed sheets. A re-appraisal item
    continues its parent item (source_item_id), so each appraised report or official
    counts once, with its latest round deciding 'satisfactory' and 'below 80%'.

    'Below 80%' is the headline's figure: only project reports (reference "project:<id>")
    appraised by satisfaction rate, whose latest round fell short of the line that
    ballot froze when it opened (80% by default, another where the campaign set one),
    as the signed sheet's outcome says (voting.rules decided it). Officials, and
    graded or weighted appraisals, have no satisfaction rate in that sense."""
    rows = db.session.execute(
        select(Ballot, TallySheet).join(TallySheet, TallySheet.ballot_id == Ballot.id)
        .join(Meeting, Meeting.id == Ballot.meeting_id)
        .where(Ballot.body_id == body_id, Ballot.kind == "appraisal", Ballot.state.in_(FINISHED),
               Ballot.rehearsal.is_(False))
        .order_by(Ballot.round, Ballot.id)
    ).all()
    latest: dict[int, tuple[str | None, bool]] = {}
    sent_back: set[int] = set()
    for ballot, sheet_row in rows:
        if _ballot_year(ballot) != year:
            continue
        rate_mode = ballot.rule.get("mode", "rate") == "rate"
        entries = {entry["id"]: entry for entry in sheet_row.sheet.get("items", [])}
        for item in ballot.items:
            root = first_round_item(item)
            entry = entries.get(str(item.id)) or {}
            outcome = entry.get("outcome")
            report = (root.reference or "").startswith("project:")
            latest[root.id] = (outcome, rate_mode and report and below_the_line(outcome))
            if outcome == "rereport_required":
                sent_back.add(root.id)
    return AppraisalOutcomes(appraised=len(latest),
                             satisfactory=sum(1 for o, _ in latest.values() if o == "satisfactory"),
                             rereport=len(sent_back), below_bar=sum(1 for _, b in latest.values() if b))


def _ballot_year(ballot: Ballot) -> int:
    if ballot.meeting is not None and ballot.meeting.year:
        return ballot.meeting.year
    return (ballot.closed_at or ballot.created_at).year


def body_figures(body: Body, year: int, today: date) -> BodyFigures:
    projects = list(db.session.execute(
        select(LivelihoodProject).where(LivelihoodProject.body_id == body.id, LivelihoodProject.year == year,
                                        LivelihoodProject.ballot_item_id.is_not(None))
        .order_by(LivelihoodProject.id)).scalars())
    outcomes = _appraisal_outcomes(body.id, year)
    return BodyFigures(
        body=body,
        projects=len(projects),
        budget=sum((p.budget or Decimal("0") for p in projects), Decimal("0")),
        departments=sorted({p.department for p in projects if p.department}),
        statuses=status_counts(projects, today),
        appraised=outcomes.appraised, satisfactory=outcomes.satisfactory, rereport=outcomes.rereport,
        below_bar=outcomes.below_bar,
    )


def rollup(parent: Body, year: int, today: date) -> Rollup:
    return Rollup(parent=parent, year=year, rows=[body_figures(b, year, today) for b in descendants(parent)])


def rollup_years(parent: Body) -> list[int]:
    ids = [b.id for b in descendants(parent)] + [parent.id]
    years = set(db.session.execute(
        select(LivelihoodProject.year).where(LivelihoodProject.body_id.in_(ids)).distinct()).scalars())
    years.update(y for y in db.session.execute(
        select(Meeting.year).where(Meeting.body_id.in_(ids), Meeting.year.is_not(None)).distinct()).scalars())
    return sorted(years, reverse=True)
