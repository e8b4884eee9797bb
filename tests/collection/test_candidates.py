"""The candidate list of a year: linked or direct entries, edits, exports."""
import io
from decimal import Decimal

import pytest

from tests.collection.conftest import submit
from voting.collection import services
from voting.collection.models import Candidate, Proposal
from voting.extensions import db

BASE = {"year": "2026", "title": "新建城东公办幼儿园", "budget": "1200.50", "department": "县教育局",
        "planned_completion": "2026-12-31", "description": "新增学位 360 个"}


def shortlisted(station, **fields):
    proposal = submit(station, **fields)
    return services.change_status(proposal, "shortlisted", "test")


def test_candidate_from_shortlisted_proposals(app, secretariat_client, station):
    one = shortlisted(station)
    two = shortlisted(station, title="城东需要幼儿园学位")
    merged = submit(station, title="城东幼儿园太少了")
    services.merge(merged, one, "test")
    response = secretariat_client.post("/collection/candidates",
                                       data={**BASE, "proposal_ids": [str(one.id), str(two.id)]})
    assert response.status_code == 302
    candidate = db.session.query(Candidate).one()
    assert candidate.budget == Decimal("1200.50") and candidate.planned_completion.isoformat() == "2026-12-31"
    assert [p.id for p in candidate.proposals] == [one.id, two.id]
    db.session.expire_all()
    assert db.session.get(Proposal, one.id).status == "candidate"
    assert services.public_status(db.session.get(Proposal, one.id))["status_text"] == "已列入候选"
    page = secretariat_client.get("/collection/candidates?year=2026").get_data(as_text=True)
    assert "新建城东公办幼儿园" in page and "1,200.50" in page and "含合并 1 条" in page


def test_candidate_entered_directly(app, secretariat_client):
    response = secretariat_client.post("/collection/candidates", data={**BASE, "planned_completion": ""})
    assert response.status_code == 302
    assert db.session.query(Candidate).one().planned_completion is None


@pytest.mark.parametrize("change, words", [
    ({"budget": ""}, "请填写预算"),
    ({"budget": "abc"}, "预算必须是数字"),
    ({"budget": "-5"}, "不能为负数"),
    ({"budget": "1.234"}, "最多两位小数"),
    ({"budget": "NaN"}, "不能为负数"),
    ({"year": "26"}, "四位数字"),
    ({"title": ""}, "请填写“项目名称”"),
    ({"department": ""}, "请填写“责任单位”"),
    ({"planned_completion": "明年"}, "应为日期"),
])
def test_bad_candidate_input_stores_nothing(app, secretariat_client, change, words):
    response = secretariat_client.post("/collection/candidates", data={**BASE, **change})
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert db.session.query(Candidate).count() == 0


def test_only_shortlisted_proposals_can_be_linked(app, secretariat_client, station):
    pending = submit(station)
    response = secretariat_client.post("/collection/candidates", data={**BASE, "proposal_ids": [str(pending.id)]})
    assert response.status_code == 400 and "不是“拟列为候选”状态" in response.get_data(as_text=True)
    assert db.session.query(Candidate).count() == 0
    db.session.expire_all()
    assert db.session.get(Proposal, pending.id).status == "pending"


def test_edit_and_delete_restore_proposals(app, secretariat_client, station):
    one = shortlisted(station)
    two = shortlisted(station, title="城东需要幼儿园学位")
    candidate = services.create_candidate(station.body_id, BASE, "test", [one.id])
    response = secretariat_client.post(f"/collection/candidates/{candidate.id}/edit",
                                       data={**BASE, "budget": "800", "proposal_ids": [str(two.id)]})
    assert response.status_code == 302
    db.session.expire_all()
    assert candidate.budget == Decimal("800.00") and [p.id for p in candidate.proposals] == [two.id]
    assert db.session.get(Proposal, one.id).status == "shortlisted"
    assert db.session.get(Proposal, two.id).status == "candidate"
    assert secretariat_client.post(f"/collection/candidates/{candidate.id}/delete").status_code == 302
    db.session.expire_all()
    assert db.session.query(Candidate).count() == 0
    assert db.session.get(Proposal, two.id).status == "shortlisted"


def test_exports(app, secretariat_client, station):
    services.create_candidate(station.body_id, BASE, "test")
    services.create_candidate(station.body_id, {**BASE, "title": "柳溪河污水管网", "budget": "99.5",
                                                "department": "县生态环境分局"}, "test")
    response = secretariat_client.get("/collection/candidates/export.xlsx?year=2026")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data)).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[1][:4] == ["序号", "项目名称", "项目内容", "预算（万元）"]
    assert rows[2][1] == "新建城东公办幼儿园" and Decimal(str(rows[2][3])) == Decimal("1200.50")
    assert rows[3][4] == "县生态环境分局"
    assert Decimal(str(rows[4][3])) == Decimal("1300.00")

    response = secretariat_client.get("/collection/candidates/export.pdf?year=2026")
    assert response.status_code == 200 and response.data.startswith(b"%PDF")
    from pypdf import PdfReader

    # pypdf reads fpdf2's CID text with a NUL before every character; drop them
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.data)).pages).replace("\x00", "")
    assert "新建城东公办幼儿园" in text and "柳溪河污水管网" in text and "1,300.00" in text


def test_pdf_without_a_font_gives_a_chinese_message(app, secretariat_client, monkeypatch):
    from voting import pdf

    monkeypatch.setattr(pdf, "KNOWN_FONTS", ())
    monkeypatch.setitem(app.config, "PDF_FONT", None)
    with pytest.raises(pdf.FontMissing) as missing:
        pdf.find_cjk_font()
    assert "中文字体" in missing.value.message
    response = secretariat_client.get("/collection/candidates/export.pdf?year=2026")
    assert response.status_code == 503 and "中文字体" in response.get_data(as_text=True)


def test_leader_reads_the_list_but_cannot_change_it(app, leader_client, station):
    candidate = services.create_candidate(station.body_id, BASE, "test")
    page = leader_client.get("/collection/candidates?year=2026").get_data(as_text=True)
    assert "新建城东公办幼儿园" in page and "加入候选清单" not in page
    assert leader_client.post("/collection/candidates", data=BASE).status_code == 403
    assert leader_client.post(f"/collection/candidates/{candidate.id}/delete").status_code == 403
    assert leader_client.get("/collection/candidates/export.xlsx?year=2026").status_code == 200


def test_hostile_titles_are_exported_as_text(app, secretariat_client, station):
    """A title or department that a spreadsheet would run as a formula stays text."""
    hostile = {"title": '=HYPERLINK("http://evil.example/","点击查看")', "department": "=1+2",
               "description": "@SUM(A1:A9)"}
    services.create_candidate(station.body_id, {**BASE, **hostile}, "test")
    response = secretariat_client.get("/collection/candidates/export.xlsx?year=2026")
    assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.data)).active
    cells = {cell.value: cell for row in sheet.iter_rows() for cell in row if isinstance(cell.value, str)}
    for text in hostile.values():
        assert text in cells, text
        assert cells[text].data_type == "s"


def test_one_escaping_rule_for_csv_and_xlsx():
    from openpyxl import Workbook

    from voting.textcells import append_row, csv_text

    assert csv_text("=1+2") == "'=1+2" and csv_text("-5") == "'-5" and csv_text("县教育局") == "县教育局"
    assert csv_text(12) == 12
    sheet = Workbook().active
    append_row(sheet, ["=1+2", "+A1", 3])
    assert [c.data_type for c in sheet[1]] == ["s", "s", "n"]
    assert sheet["A1"].value == "=1+2"
