"""Officials' 述职评议 (weighted ranking, equal scores share a rank, anonymous
comments, cadre export), the graded mode at exactly half, the import that reports
every bad row, and departments that see only their own items."""
import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, inspect, select

from tests.appraisals.conftest import YEAR, Hall, make_project
from tests.factories import gen_body, gen_user, login
from voting.appraisals import services
from voting.appraisals.models import AppraisalCampaign, AppraisalComment, Official, Rereport
from voting.extensions import db

OFFICIALS_CSV = ("姓名,职务,单位,任命日期\n王建国,局长,县教育局,2024-03-15\n李秀英,局长,县住建局,2023-01-10\n"
                 "张志强,主任,县卫健委,\n").encode("utf-8")


def import_csv(client, data: bytes, name="officials.csv"):
    return client.post("/appraisals/officials/import", data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def new_campaign(client, **fields):
    response = client.post("/appraisals/new", data={"title": "2026年述职评议", "year": str(YEAR), **fields})
    assert response.status_code == 302, response.get_data(as_text=True)
    return db.session.scalars(select(AppraisalCampaign).order_by(AppraisalCampaign.id.desc())).first()


def test_bad_import_rows_are_reported_by_line_and_nothing_is_stored(secretariat):
    data = ("姓名,职务,单位,任命日期\n王建国,局长,县教育局,2024-03-15\n,局长,县住建局,\n"
            "张志强,主任,县卫健委,2024-13-40\n王建国,局长,县教育局,\n").encode("utf-8")
    response = import_csv(secretariat, data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "第3行：请填写姓名" in page and "第4行：任命日期应为日期" in page and "第5行：与第2行重复" in page
    assert "第2行" not in page.replace("与第2行", "")
    assert db.session.scalar(select(func.count()).select_from(Official)) == 0
    assert import_csv(secretariat, OFFICIALS_CSV).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Official)) == 3


def test_import_from_xlsx(secretariat):
    from openpyxl import Workbook

    book = Workbook()
    book.active.append(["姓名", "职务", "单位", "任命日期"])
    book.active.append(["赵德明", "局长", "县水利局", "2022-05-01"])
    out = io.BytesIO()
    book.save(out)
    assert import_csv(secretariat, out.getvalue(), "名单.xlsx").status_code == 302
    assert db.session.scalar(select(Official.department)) == "县水利局"


def test_officials_ranking_equal_scores_share_a_rank(app, body, secretariat):
    assert import_csv(secretariat, OFFICIALS_CSV).status_code == 302
    hall = Hall(body, 10)
    campaign = new_campaign(secretariat, mode="weighted", unknown="1", weight_satisfied="100",
                            weight_basically_satisfied="75", weight_unsatisfied="0",
                            bands="90 优秀\n75 称职\n60 基本称职", below="不称职")
    assert campaign.rule["mode"] == "weighted" and "unknown" in campaign.options
    officials = {o.name: o for o in db.session.scalars(select(Official))}
    secretariat.post(f"/appraisals/{campaign.id}/items", data={"official": [str(o.id) for o in officials.values()]})
    secretariat.post(f"/appraisals/{campaign.id}/ballot", data={"meeting": str(hall.meeting.id)})
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    ids = {item.reference: item.id for item in campaign.ballot.items}
    wang, li, zhang = (ids[f"official:{officials[n].id}"] for n in ("王建国", "李秀英", "张志强"))
    # 王 and 李 both score 92.5 (9 satisfied + 1 basically... = (8*100+2*75)/10 = 95? keep it exact below)
    hall.run(campaign.ballot_id, [
        (7, {wang: "satisfied", li: "satisfied", zhang: "basically_satisfied"}),
        (2, {wang: "basically_satisfied", li: "basically_satisfied", zhang: "unsatisfied"}),
        (1, {wang: "unknown", li: "unknown", zhang: "unknown"}),
    ])
    rows = services.ranking(db.session.get(AppraisalCampaign, campaign.id))
    table = [(r.item.official.name, r.rank, r.score, r.grade) for r in rows]
    # (7*100 + 2*75) / 9 = 850/9 = 94.44; 不了解 is not scored. Zhang: (7*75 + 0) / 9 = 58.33.
    assert table[:2] in ([("王建国", 1, "94.44", "优秀"), ("李秀英", 1, "94.44", "优秀")],
                         [("李秀英", 1, "94.44", "优秀"), ("王建国", 1, "94.44", "优秀")])
    assert table[2] == ("张志强", 3, "58.33", "不称职")
    page = secretariat.get(f"/appraisals/{campaign.id}/ranking").get_data(as_text=True)
    assert page.count("94.44") == 2 and "不称职" in page

    deputy = hall.deputies[0]
    tablet = app.test_client()
    from voting.meetings.services import issue_card

    card = issue_card(deputy, actor="test")
    assert tablet.get(f"/card/{card}").status_code in (200, 302)
    assert "王建国" in tablet.get("/appraisals/comments").get_data(as_text=True)
    assert tablet.post(f"/appraisals/comments/{campaign.id}",
                       data={f"comment-{next(i.id for i in campaign.items if i.official.name == '王建国')}":
                             "希望多下基层调研。"}).status_code == 302
    [comment] = db.session.scalars(select(AppraisalComment)).all()
    assert comment.text == "希望多下基层调研。"
    assert {c.name for c in inspect(AppraisalComment).columns} == {"id", "item_id", "body_id", "text"}
    assert "希望多下基层调研" in secretariat.get(f"/appraisals/{campaign.id}/ranking").get_data(as_text=True)

    export = secretariat.get(f"/appraisals/{campaign.id}/ranking.xlsx")
    sheet = load_workbook(io.BytesIO(export.data)).active
    rows = [r for r in sheet.iter_rows(min_row=3, values_only=True) if r[0] is not None and r[1]]
    assert sorted((r[0], r[5], r[6]) for r in rows) == [(1, "94.44", "优秀"), (1, "94.44", "优秀"), (3, "58.33", "不称职")]


def test_graded_mode_exactly_half_satisfied_is_not_satisfied(body, secretariat):
    project = make_project(body)
    hall = Hall(body, 20)
    campaign = new_campaign(secretariat, mode="graded")
    assert campaign.rule["threshold"] == {"fraction": "1/2", "inclusive": False, "base": "all"}
    secretariat.post(f"/appraisals/{campaign.id}/items", data={"project": [str(project.id)]})
    secretariat.post(f"/appraisals/{campaign.id}/ballot", data={"meeting": str(hall.meeting.id)})
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    [item] = campaign.ballot.items
    sheet = hall.run(campaign.ballot_id, [(10, {item.id: "satisfied"}), (1, {item.id: "basically_satisfied"}),
                                          (9, {item.id: "unsatisfied"})])
    entry = sheet["items"][0]
    assert entry["verdict"] == "basically_satisfied" and entry["outcome"] == "satisfactory"
    [appraised] = campaign.items
    assert services.item_history(appraised)[0].result == "基本满意"


def test_graded_exactly_half_of_both_is_unsatisfied_and_needs_a_rereport(body, secretariat):
    project = make_project(body)
    hall = Hall(body, 20)
    campaign = new_campaign(secretariat, mode="graded")
    secretariat.post(f"/appraisals/{campaign.id}/items", data={"project": [str(project.id)]})
    secretariat.post(f"/appraisals/{campaign.id}/ballot", data={"meeting": str(hall.meeting.id)})
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    [item] = campaign.ballot.items
    sheet = hall.run(campaign.ballot_id, [(10, {item.id: "satisfied"}), (10, {item.id: "unsatisfied"})])
    assert sheet["items"][0]["verdict"] == "unsatisfied" and sheet["items"][0]["outcome"] == "rereport_required"
    assert secretariat.post(f"/appraisals/{campaign.id}/rereports", data={"due_date": "2026-12-01"}).status_code == 302
    assert db.session.scalar(select(func.count()).select_from(Rereport)) == 1


@pytest.fixture
def two_rereports(app, body, secretariat, departments):
    housing = make_project(body, "城区老旧小区改造", "县住建局")
    school = make_project(body, "乡村学校食堂提升", "县教育局")
    hall = Hall(body, 10)
    campaign = new_campaign(secretariat, mode="rate", fraction="4/5", inclusive="1", base="item_valid")
    secretariat.post(f"/appraisals/{campaign.id}/items", data={"project": [str(housing.id), str(school.id)]})
    secretariat.post(f"/appraisals/{campaign.id}/ballot", data={"meeting": str(hall.meeting.id)})
    db.session.expire_all()
    campaign = db.session.get(AppraisalCampaign, campaign.id)
    a, b = campaign.ballot.items
    hall.run(campaign.ballot_id, [(5, {a.id: "satisfied", b.id: "satisfied"}),
                                  (5, {a.id: "unsatisfied", b.id: "unsatisfied"})])
    secretariat.post(f"/appraisals/{campaign.id}/rereports", data={"due_date": "2026-12-20"})
    reports = {r.department: r for r in db.session.scalars(select(Rereport))}
    return campaign, reports


def test_department_sees_and_changes_only_its_own_items(app, body, two_rereports, departments):
    campaign, reports = two_rereports
    mine, theirs = reports["县住建局"], reports["县教育局"]
    client = login(app.test_client(), departments["住建"])
    listing = client.get("/appraisals/rereports").get_data(as_text=True)
    assert "城区老旧小区改造" in listing and "乡村学校食堂提升" not in listing
    assert client.get(f"/appraisals/items/{theirs.item_id}").status_code == 404
    assert client.get(f"/appraisals/rereports/{theirs.id}").status_code == 404
    assert client.post(f"/appraisals/rereports/{theirs.id}", data={"text": "冒名提交"}).status_code == 404
    db.session.expire_all()
    assert not db.session.get(Rereport, theirs.id).submitted
    assert client.get(f"/appraisals/items/{mine.item_id}").status_code == 200
    assert client.get(f"/appraisals/{campaign.id}").status_code == 403
    assert client.post(f"/appraisals/{campaign.id}/reappraisal").status_code == 403
    # A department of the same name in another body sees nothing here either.
    other = gen_user("department", gen_body(), department="县住建局")
    stranger = login(app.test_client(), other)
    assert stranger.get(f"/appraisals/items/{mine.item_id}").status_code == 404
    assert stranger.post(f"/appraisals/rereports/{mine.id}", data={"text": "x"}).status_code == 404


def test_other_body_secretariat_gets_404_and_leader_cannot_write(app, body, two_rereports, staff):
    campaign, _ = two_rereports
    outsider = login(app.test_client(), gen_user("secretariat", gen_body()))
    assert outsider.get(f"/appraisals/{campaign.id}").status_code == 404
    assert outsider.post(f"/appraisals/{campaign.id}/reappraisal").status_code == 404
    leader = login(app.test_client(), staff["leader"])
    assert leader.get(f"/appraisals/{campaign.id}").status_code == 200
    assert leader.post(f"/appraisals/{campaign.id}/reappraisal").status_code == 403
    assert leader.get(f"/appraisals/report/{YEAR}").status_code == 200


def test_bad_rule_is_refused_with_a_message(secretariat):
    response = secretariat.post("/appraisals/new", data={"title": "测评", "year": str(YEAR), "mode": "rate",
                                                         "fraction": "9/5", "inclusive": "1", "base": "item_valid"})
    assert response.status_code == 400 and "测评规则有误" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(AppraisalCampaign)) == 0
