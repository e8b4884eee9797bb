"""The whole year-end cycle from the browser: a project report gets 79.5%
(159/200, rereport_required), its department re-reports, the secretariat starts
round 2 and the item passes at exactly 80% (160/200). Round 1 stays as it was."""
import io
from datetime import date, timedelta

from sqlalchemy import select

from tests.appraisals.conftest import YEAR, Hall, make_project
from tests.factories import login
from voting.appraisals.models import AppraisalCampaign, Rereport, RereportAttachment
from voting.appraisals import services
from voting.ballots.models import Ballot, TallySheet
from voting.extensions import db
from voting.localtime import local_today

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def create_campaign(client, **fields):
    data = {"title": "2026年民生实事项目实施情况满意度测评", "year": str(YEAR), "mode": "rate",
            "fraction": "4/5", "inclusive": "1", "base": "item_valid", **fields}
    response = client.post("/appraisals/new", data=data)
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(AppraisalCampaign).order_by(AppraisalCampaign.id.desc())).first()


def test_rereport_cycle_from_79_5_to_exactly_80(app, body, staff, secretariat, departments, monkeypatch):
    housing = make_project(body, "城区老旧小区改造", "县住建局")
    school = make_project(body, "乡村学校食堂提升", "县教育局")
    hall = Hall(body, 200)
    campaign = create_campaign(secretariat)
    assert secretariat.post(f"/appraisals/{campaign.id}/items",
                            data={"project": [str(housing.id), str(school.id)]}).status_code == 302
    assert secretariat.post(f"/appraisals/{campaign.id}/ballot",
                            data={"meeting": str(hall.meeting.id)}).status_code == 302
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    round1 = campaign.ballot
    assert round1.kind == "appraisal" and round1.round == 1
    ids = {item.reference: item.id for item in round1.items}
    housing_ref, school_ref = f"project:{housing.id}", f"project:{school.id}"
    # 159 approving of 200 for the housing report; 190 for the school canteen.
    plan = [(119, {ids[housing_ref]: "satisfied", ids[school_ref]: "satisfied"}),
            (40, {ids[housing_ref]: "basically_satisfied", ids[school_ref]: "satisfied"}),
            (31, {ids[housing_ref]: "unsatisfied", ids[school_ref]: "basically_satisfied"}),
            (10, {ids[housing_ref]: "unsatisfied", ids[school_ref]: "unsatisfied"})]
    sheet1 = hall.run(round1.id, plan)
    entries = {e["id"]: e for e in sheet1["items"]}
    assert entries[str(ids[housing_ref])]["rate"] == "159/200"
    assert entries[str(ids[housing_ref])]["outcome"] == "rereport_required"
    assert entries[str(ids[school_ref])]["outcome"] == "satisfactory"
    round1_sheet_json = db.session.scalar(select(TallySheet.sheet_json).where(TallySheet.ballot_id == round1.id))

    page = secretariat.get(f"/appraisals/{campaign.id}").get_data(as_text=True)
    assert "79.50%" in page and "须再办理、再报告" in page
    # Re-appraisal before the department re-reported is refused with the reason.
    secretariat.post(f"/appraisals/{campaign.id}/reappraisal")
    assert db.session.scalar(select(Ballot).where(Ballot.parent_id == round1.id)) is None
    # The ballot page decides the same way (appraisals.reappraise): refused, nothing made.
    refused = secretariat.post(f"/ballots/{round1.id}/reappraisal", follow_redirects=True)
    assert "再报告" in refused.get_data(as_text=True)
    assert db.session.scalar(select(Ballot).where(Ballot.parent_id == round1.id)) is None

    assert secretariat.post(f"/appraisals/{campaign.id}/rereports", data={"due_date": "2026-12-20"}).status_code == 302
    [rereport] = db.session.scalars(select(Rereport)).all()
    assert rereport.department == "县住建局" and rereport.rate == "159/200" and rereport.round == 1

    housing_dept = login(app.test_client(), departments["住建"])
    listing = housing_dept.get("/appraisals/rereports").get_data(as_text=True)
    assert "城区老旧小区改造" in listing and "乡村学校食堂提升" not in listing
    # The department's dashboard names what is due and by when (#20).
    today = local_today()
    dashboard = housing_dept.get("/dashboard").get_data(as_text=True)
    panel = dashboard[dashboard.index('id="dashboard-rereports"'):]
    panel = panel[:panel.index("</section>")]
    assert "城区老旧小区改造" in panel and "期限 2026-12-20" in panel and 'id="rereports-due-count">1 项' in panel
    days = (date(2026, 12, 20) - today).days
    assert (f"还有 {days} 天" if days > 0 else ("今天到期" if days == 0 else f"已逾期 {-days} 天")) in panel
    from voting.appraisals import views as appraisal_views

    monkeypatch.setattr(appraisal_views, "local_today", lambda: date(2026, 12, 20) + timedelta(days=2))
    late = housing_dept.get("/dashboard").get_data(as_text=True)
    assert "已逾期 2 天" in late and 'id="rereports-overdue-count">已逾期 1 项' in late
    assert "已逾期" in housing_dept.get("/appraisals/rereports").get_data(as_text=True)
    monkeypatch.undo()
    bad = housing_dept.post(f"/appraisals/rereports/{rereport.id}",
                            data={"text": "整改情况", "attachments": (io.BytesIO(b"MZ not a pdf"), "x.pdf")},
                            content_type="multipart/form-data")
    assert bad.status_code == 400 and "不是 PDF" in bad.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(Rereport, rereport.id).submitted
    done = housing_dept.post(f"/appraisals/rereports/{rereport.id}",
                             data={"text": "已完成加装电梯12部，补齐雨污分流。",
                                   "attachments": (io.BytesIO(PDF), "整改报告.pdf")},
                             content_type="multipart/form-data")
    assert done.status_code == 302
    [attachment] = db.session.scalars(select(RereportAttachment)).all()
    assert attachment.content_type == "application/pdf" and "static" not in str(services.attachment_path(attachment))
    assert housing_dept.get(f"/appraisals/attachments/{attachment.id}").data == PDF
    # Records name the department, not its account ("department 于 ..."), in local time.
    item_page = secretariat.get(f"/appraisals/items/{rereport.item_id}").get_data(as_text=True)
    assert f"县住建局 于 " in item_page and f"{departments['住建'].username} 于" not in item_page
    after = housing_dept.get("/dashboard").get_data(as_text=True)
    assert 'id="rereports-due-count">0 项' in after and "本单位目前没有须再报告的项目" in after

    assert secretariat.post(f"/appraisals/{campaign.id}/reappraisal").status_code == 302
    round2 = db.session.scalar(select(Ballot).where(Ballot.parent_id == round1.id))
    assert round2.round == 2 and round2.state == "draft"
    [item2] = round2.items
    assert item2.reference == housing_ref and item2.source_item_id == ids[housing_ref]

    sheet2 = hall.run(round2.id, [(120, {item2.id: "satisfied"}), (40, {item2.id: "basically_satisfied"}),
                                  (40, {item2.id: "unsatisfied"})])
    assert sheet2["items"][0]["rate"] == "4/5" and sheet2["items"][0]["outcome"] == "satisfactory"
    # Round 1 is never overwritten.
    assert db.session.scalar(select(TallySheet.sheet_json).where(TallySheet.ballot_id == round1.id)) == round1_sheet_json

    housing_item = next(i for i in campaign.items if i.project_id == housing.id)
    history = services.item_history(housing_item)
    assert [(h.round, h.entry["outcome"]) for h in history] == [(1, "rereport_required"), (2, "satisfactory")]
    assert history[0].rereport.submitted and history[1].rereport is None
    page = secretariat.get(f"/appraisals/items/{housing_item.id}").get_data(as_text=True)
    page = page[page.index("测评经过"):]
    assert page.index("第1轮测评") < page.index("已完成加装电梯") < page.index("第2轮测评")
    assert "79.50%" in page and "80.00%" in page

    report = secretariat.get(f"/appraisals/report/{YEAR}").get_data(as_text=True)
    assert "满意（第2轮）" in report and "满意（第1轮）" in report
    xlsx = secretariat.get(f"/appraisals/report/{YEAR}.xlsx")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"
    pdf = secretariat.get(f"/appraisals/report/{YEAR}.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")

