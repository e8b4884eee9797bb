"""Demo data for the year-end appraisal: appointed officials of the main county and
two draft campaigns (project reports, 述职评议) ready to become ballots. Idempotent."""
import json
from datetime import date

from sqlalchemy import select

from voting.appraisals.models import AppraisalCampaign, AppraisalItem, Official
from voting.extensions import db
from voting.integrity.canonical import canonical_json
from voting.rules import APPRAISAL, DEFAULT_APPRAISAL_OPTIONS, rule_from_json
from voting.tracking.models import LivelihoodProject

OFFICIALS = [("周振华", "局长", "青山县教育局", date(2023, 2, 20)), ("吴丽华", "局长", "青山县住房和城乡建设局", date(2022, 9, 1)),
             ("郑海涛", "主任", "青山县卫生健康委员会", date(2024, 1, 15)), ("孙玉兰", "局长", "青山县民政局", date(2023, 6, 30)),
             ("何学军", "局长", "青山县交通运输局", date(2021, 12, 10)),
             ("冯建国", "局长", "青山县人力资源和社会保障局", date(2022, 4, 8)),
             ("陈晓燕", "局长", "青山县生态环境分局", date(2023, 11, 3)),
             ("林志强", "局长", "青山县文化广电和旅游体育局", date(2024, 5, 20))]


def _rule(data: dict) -> str:
    return canonical_json(rule_from_json(APPRAISAL, data).to_json()).decode()


def seed(context) -> list[str]:
    body = context["main"]
    if db.session.execute(select(AppraisalCampaign.id).filter_by(body_id=body.id).limit(1)).first() is not None:
        return []
    officials = []
    for name, post, department, appointed in OFFICIALS:
        official = db.session.execute(select(Official).filter_by(body_id=body.id, name=name, post=post)).scalar_one_or_none()
        if official is None:
            official = Official(body_id=body.id, name=name, post=post, department=department, appointed_on=appointed)
            db.session.add(official)
        officials.append(official)
    db.session.flush()
    out = [f"测评: {body.name} {len(officials)} 名被评议人员"]
    projects = list(db.session.scalars(select(LivelihoodProject).where(LivelihoodProject.body_id == body.id)
                                       .order_by(LivelihoodProject.year.desc(), LivelihoodProject.id)))
    if projects:
        year = projects[0].year
        campaign = AppraisalCampaign(body_id=body.id, year=year, title=f"{year}年民生实事项目实施情况满意度测评",
                                     options_json=json.dumps(DEFAULT_APPRAISAL_OPTIONS + ["unknown"]),
                                     rule_json=_rule({}), created_by="seed-demo")
        db.session.add(campaign)
        db.session.flush()
        for position, project in enumerate(p for p in projects if p.year == year):
            db.session.add(AppraisalItem(campaign_id=campaign.id, body_id=body.id, kind="project",
                                         position=position + 1, project_id=project.id))
        out.append(f"测评: {campaign.title}（草稿，可生成表决）")
    year = projects[0].year if projects else date.today().year
    review = AppraisalCampaign(body_id=body.id, year=year, title=f"{year}年常委会任命人员述职评议",
                               options_json=json.dumps(DEFAULT_APPRAISAL_OPTIONS + ["unknown"]),
                               rule_json=_rule({"mode": "weighted"}), created_by="seed-demo")
    db.session.add(review)
    db.session.flush()
    for position, official in enumerate(officials, start=1):
        db.session.add(AppraisalItem(campaign_id=review.id, body_id=body.id, kind="official", position=position,
                                     official_id=official.id))
    db.session.flush()
    out.append(f"测评: {review.title}（草稿）")
    return out
