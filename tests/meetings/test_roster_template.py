"""The roster template (名单模板): an XLSX with the import's columns that, once
filled in, imports as it is; the favicon every page asks for."""
import io

from openpyxl import load_workbook

from tests.factories import login
from voting.meetings.roster_files import parse_roster_upload


def test_the_template_filled_in_imports(client, staff):
    login(client, staff["secretariat"])
    response = client.get("/meetings/roster-template.xlsx")
    assert response.status_code == 200 and response.data[:2] == b"PK"
    assert "attachment" in response.headers["Content-Disposition"]
    assert parse_roster_upload("模板.xlsx", response.data) == []  # as downloaded: the header alone
    book = load_workbook(io.BytesIO(response.data))
    sheet = book.worksheets[0]
    assert [c.value for c in sheet[1]] == ["姓名", "代表团", "编号"]
    sheet.append(["王建国", "城关代表团", "007"])
    out = io.BytesIO()
    book.save(out)
    rows = parse_roster_upload("模板.xlsx", out.getvalue())
    assert [(line, row["name"], row["delegation"], row["number"]) for line, row in rows] == [
        (2, "王建国", "城关代表团", "007")]


def test_the_template_is_for_staff_who_manage_meetings(client, staff):
    assert client.get("/meetings/roster-template.xlsx").status_code in (302, 401)
    login(client, staff["leader"])
    assert client.get("/meetings/roster-template.xlsx").status_code == 403


def test_favicon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200 and response.data[:4] == b"\x00\x00\x01\x00"  # an ICO file
    page = client.get("/login").get_data(as_text=True)
    assert 'rel="icon"' in page and client.get("/static/favicon.svg").status_code == 200
