"""Demo data of the supervision: the main county's tracked projects with milestones,
progress updates (one draft), an inspection, and two department accounts.

When the demo already holds selection results, their selected items are tracked;
when it holds no ballot at all, projects are registered directly from the main
county's candidates (or from a fixed fictional list). Dates are relative to the day
of seeding so that one project is always 滞后. Idempotent: a body that already has
tracked projects is left alone.
"""
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from voting.accounts.models import User, utcnow
from voting.accounts.services import create_or_update_user
from voting.ballots.models import Ballot
from voting.extensions import db
from voting.integrity import audit
from voting.tracking import services
from voting.tracking.models import Inspection, LivelihoodProject, Milestone, ProgressUpdate, SupervisionProposal

ACTOR = "seed-demo"
DEMO_YEAR = 2026
FALLBACK = [
    ("新建城东公办幼儿园", "新增学位 360 个", "县教育局", "980.00"),
    ("城乡公交一体化（西岭线）", "开通城区至西岭乡公交线路", "县交通运输局", "420.00"),
    ("老旧小区加装电梯补贴", "补贴 40 部电梯", "县住房和城乡建设局", "600.00"),
    ("社区居家养老服务中心", "建设 10 个社区居家养老服务中心", "县民政局", "560.00"),
    ("乡镇卫生院夜间门诊", "5 个中心卫生院开设夜间门诊", "县卫生健康局", "180.00"),
    ("农村供水管网改造", "改造两镇供水管网", "县水利局", "880.00"),
]
PROJECT_COUNT = 10
# (milestone, days from today it is due, done?) per pattern; pattern = index % 4.
PLANS = {
    "completed": ([("完成立项审批", -200, True), ("完成施工招标", -150, True), ("竣工验收", -20, True)],
                  [(-190, 20, "项目已立项，完成初步设计。"), (-120, 65, "主体工程完工，开始配套设施建设。"),
                   (-15, 100, "通过竣工验收，已投入使用。")]),
    "on_time": ([("完成立项审批", -120, True), ("主体工程完工", 40, False), ("竣工验收", 90, False)],
                [(-110, 15, "完成立项和招标，施工单位进场。"), (-30, 55, "主体工程完成过半，质量安全平稳。")]),
    "delayed": ([("完成立项审批", -150, True), ("完成施工招标", -30, False), ("竣工验收", 60, False)],
                [(-140, 10, "完成立项审批。"), (-45, 15, "招标文件编制中，因用地手续未办结，招标推迟。")]),
    "not_started": ([("完成立项审批", 20, False), ("竣工验收", 200, False)], []),
}
PATTERNS = ["completed", "on_time", "delayed", "not_started"]


def _directly_registered(body) -> list[LivelihoodProject]:
    """Projects from the body's candidates (or the fixed list), without a ballot."""
    rows = []
    try:
        from voting.collection.models import Candidate

        candidates = list(db.session.execute(select(Candidate).filter_by(body_id=body.id)
                                             .order_by(Candidate.year.desc(), Candidate.id).limit(PROJECT_COUNT))
                          .scalars())
    except ImportError:
        candidates = []
    if candidates:
        rows = [LivelihoodProject(body_id=body.id, year=c.year, title=c.title, description=c.description,
                                  department=c.department, budget=c.budget, planned_completion=c.planned_completion,
                                  candidate_id=c.id) for c in candidates]
    else:
        rows = [LivelihoodProject(body_id=body.id, year=DEMO_YEAR, title=title, description=description,
                                  department=department, budget=Decimal(budget))
                for title, description, department, budget in FALLBACK]
    db.session.add_all(rows)
    db.session.flush()
    return rows


def _from_results(body) -> list[LivelihoodProject]:
    ballots = db.session.execute(select(Ballot).where(Ballot.body_id == body.id, Ballot.kind == "selection",
                                                      Ballot.state.in_(services.RESULT_STATES))).scalars()
    for ballot in ballots:
        services._add_projects(ballot, db.session)
    db.session.flush()
    return list(db.session.execute(select(LivelihoodProject).filter_by(body_id=body.id)
                                   .order_by(LivelihoodProject.id)).scalars())


def _decorate(project: LivelihoodProject, pattern: str, today: date) -> None:
    milestones, updates = PLANS[pattern]
    for title, offset, done in milestones:
        due = today + timedelta(days=offset)
        db.session.add(Milestone(project_id=project.id, body_id=project.body_id, title=title, due_date=due,
                                 done_at=due - timedelta(days=3) if done else None, created_by=ACTOR))
    now = utcnow()
    for offset, percent, text in updates:
        at = now + timedelta(days=offset)
        db.session.add(ProgressUpdate(project_id=project.id, body_id=project.body_id, percent=percent, text=text,
                                      author=ACTOR, published=True, published_at=at, created_at=at))
    if pattern == "on_time":
        db.session.add(ProgressUpdate(project_id=project.id, body_id=project.body_id, percent=65,
                                      text="（草稿）配套道路施工中，待核实后公开。", author=ACTOR, published=False,
                                      created_at=now))
    if pattern != "completed" and (project.planned_completion is None or project.planned_completion <= today):
        project.planned_completion = today + timedelta(days=120)
    if updates:
        project.progress = updates[-1][1]
        project.status = "completed" if project.progress >= 100 else "in_progress"
    if pattern == "delayed":
        inspection = Inspection(project_id=project.id, body_id=project.body_id, visited_on=today - timedelta(days=10),
                                deputies="王建国、李秀英、张志强", findings="现场尚未开工，用地手续仍在办理，进度明显滞后于计划。",
                                created_by=ACTOR)
        db.session.add(inspection)
        db.session.flush()
        db.session.add_all([
            SupervisionProposal(inspection_id=inspection.id, project_id=project.id, body_id=project.body_id,
                                text="加快办理用地手续，倒排工期，确保年内开工。", reply="已协调自然资源部门，预计两周内办结用地手续。",
                                replied_by=ACTOR, replied_at=utcnow()),
            SupervisionProposal(inspection_id=inspection.id, project_id=project.id, body_id=project.body_id,
                                text="每月向人大常委会报告一次进展。"),
        ])


def _department_accounts(context, projects: list[LivelihoodProject], out: list[str]) -> None:
    departments = [p.department for p in projects if p.department]
    wanted = [("department", departments[0] if departments else None)]
    delayed = [p.department for i, p in enumerate(projects) if PATTERNS[i % 4] == "delayed" and p.department]
    if delayed and delayed[0] != wanted[0][1]:
        wanted.append(("department2", delayed[0]))
    for username, department in wanted:
        if department is None:
            continue
        if db.session.execute(select(User.id).filter_by(username=username)).first() is not None:
            continue
        create_or_update_user(username, "department", context["password"], body=context["main"],
                              display_name=department, department=department, actor=ACTOR)
        out.append(f"账号: 已创建 {username}（责任单位 {department}）")


def seed(context) -> list[str]:
    body = context["main"]
    # Publishing the demo sitting's ballot already made its projects: they still get their
    # milestones and progress here, once (a body with milestones is left alone).
    if db.session.execute(select(Milestone.id).filter_by(body_id=body.id).limit(1)).first() is not None:
        return []
    has_ballots = db.session.execute(select(Ballot.id).filter_by(body_id=body.id).limit(1)).first() is not None
    projects = _from_results(body) if has_ballots else _directly_registered(body)
    if not projects:
        return []
    today = date.today()
    for index, project in enumerate(projects):
        _decorate(project, PATTERNS[index % 4], today)
    db.session.flush()
    out = [f"督办: {body.name} {len(projects)} 个民生实事项目（含节点、进展、视察；其中有滞后项目）"]
    _department_accounts(context, projects, out)
    audit.record("tracking_demo_seeded", actor=ACTOR, subject=f"body:{body.id}", body_id=body.id,
                 details={"projects": len(projects)})
    return out
