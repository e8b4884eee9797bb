"""Every figure of the HTML page, PDF, XLSX and CSV equals the JSON tally, for each kind."""
import csv
import io
import re
from fractions import Fraction

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from tests.sheets.mixed import cells, closed_ballot, closed_selection, item_rows, percent
from tests.factories import login
from voting.rules import OPTION_NAMES
from voting.rules.exact import rounded_half_up

FIGURE_LABELS = {"total": "应到（全体代表）", "issued": "实到（发出票数）", "cast": "收回票数",
                 "not_voted": "未投票数", "valid": "有效票数", "invalid": "无效票数"}
CHANNEL_LABELS = {"tablet": "其中：平板表决", "paper": "其中：纸质选票"}
PDF_TITLES = ("计票单", "应到", "实到", "收回票数", "未投票数", "有效票数", "无效票数", "平板表决", "纸质选票",
              "计票规则", "总监票人", "监票人", "签名公钥指纹")
WEIGHTED = {"mode": "weighted", "weights": {"satisfied": 100, "basically_satisfied": 60, "unsatisfied": 0},
            "bands": [[90, "优秀"], [75, "称职"], [60, "基本称职"]], "below": "不称职"}
S, B, U = "satisfied", "basically_satisfied", "unsatisfied"


def _mixed(api, staff):
    return closed_selection(api, staff)


def _motion(api, staff):
    return closed_ballot(api, staff, "motion", [{0: "yes", 1: "no"}, {0: "yes"}, {0: "yes", 1: "yes"},
                                                {0: "yes", 2: "no"}, {1: "yes"}])


def _tie(api, staff):
    return closed_ballot(api, staff, "selection", [{0: "yes", 1: "yes"}, {0: "yes", 2: "yes"}, {0: "yes", 1: "yes"},
                                                   {0: "yes", 2: "yes"}, {1: "yes", 2: "yes"}], seats=2)


def _appraisal(api, staff):
    return closed_ballot(api, staff, "appraisal", [{0: S, 1: U, 2: B}, {0: S, 1: U}, {0: B, 1: S, 2: B},
                                                   {0: U, 1: U, 2: S}, {0: S, 1: B, 2: S}])


def _graded(api, staff):
    return closed_ballot(api, staff, "appraisal", [{0: S, 1: B}, {0: S, 1: B}, {0: S, 1: U}, {0: S, 1: B}, {1: S}],
                         rule={"mode": "graded"})


def _weighted(api, staff):
    return closed_ballot(api, staff, "appraisal", [{0: S, 1: B}, {0: S, 1: B}, {0: S, 1: U}, {0: B, 1: B},
                                                   {0: S, 2: U}], rule=WEIGHTED)


SCENARIOS = {"mixed_selection": _mixed, "motion": _motion, "selection_tie": _tie, "appraisal": _appraisal,
             "appraisal_graded": _graded, "appraisal_weighted": _weighted}


@pytest.fixture(params=sorted(SCENARIOS))
def closed(request, api, staff):
    s, bid, ids = SCENARIOS[request.param](api, staff)
    sheet = s.tally(bid).get_json()
    return s, bid, sheet


def columns(sheet) -> list[str]:
    """The counted choices in the order every format prints them."""
    options = sheet["ballot"]["options"]
    seen = list(sheet["items"][0]["counts"])
    return [o for o in options if o in seen] + [c for c in seen if c not in options]


def expected_rows(sheet) -> list[dict]:
    """What each item's row must say, computed from the JSON tally alone."""
    rows = []
    verdicts = any(item.get("verdict") for item in sheet["items"])  # the column exists
    for item in sheet["items"]:
        rows.append({
            "title": item["title"],
            "counts": {OPTION_NAMES[c]: item["counts"][c] for c in columns(sheet)},
            "rate": percent(item["rate"]) if item.get("rate") else "—",
            "score": rounded_half_up(Fraction(item["score"]), 2) if item.get("score") else None,
            "grade": item.get("grade"),
            "verdict": (OPTION_NAMES[item["verdict"]] if item.get("verdict") else "—") if verdicts else None,
            "rank": str(item["rank"]) if item["rank"] is not None else "—",
            "outcome": item["outcome_text"],
        })
    return rows


def test_the_scenarios_cover_every_column(closed):
    _, _, sheet = closed
    assert sheet["issued"] == sheet["cast"] + sheet["not_voted"] and sheet["cast"] == sheet["valid"] + sheet["invalid"]


def test_html_page_figures_equal_the_json(app, staff, closed):
    s, bid, sheet = closed
    page = login(app.test_client(), staff["leader"]).get(f"/sheets/{bid}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    figures = cells(html, "data-figure")
    for key in FIGURE_LABELS:
        assert figures[key] == str(sheet[key]), key
    assert figures["trackers"] == str(sheet["trackers"])
    channels = cells(html, "data-channel")
    assert channels == {"tablet": str(sheet["channels"]["tablet"]), "paper": str(sheet["channels"]["paper"]),
                        "sum": str(sheet["cast"])}
    rows = item_rows(html)
    assert list(rows) == [item["id"] for item in sheet["items"]]
    for item, want in zip(sheet["items"], expected_rows(sheet)):
        row = rows[item["id"]]
        counts = cells(row, "data-count")
        assert counts == {c: str(item["counts"][c]) for c in columns(sheet)}
        shown = cells(row, "data-cell")
        assert shown["title"] == want["title"] and shown["rank"] == want["rank"] and shown["outcome"] == want["outcome"]
        if want["score"]:
            assert shown["score"] == want["score"] and shown["grade"] == want["grade"]
        else:
            assert shown["rate"] == want["rate"]
        if want["verdict"]:
            assert shown["verdict"] == want["verdict"]
    assert sheet["rule_text"] in html and sheet["ballot"]["meeting"]["name"] in html
    assert "总监票人" in html and "监票人" in html and f"第 {sheet['ballot']['round']} 轮" in html


def _pdf_text(data: bytes) -> str:
    # pypdf reads fpdf2's CID text with a NUL before every glyph and may put spaces or
    # line breaks between glyphs: drop them all before comparing.
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return re.sub(r"\s+", "", text.replace("\x00", ""))


def test_pdf_figures_equal_the_json(api, closed):
    s, bid, sheet = closed
    response = api.get(f"/api/v1/ballots/{bid}/tally.pdf", s.teller)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    text = _pdf_text(response.data)
    for title in PDF_TITLES:
        assert title in text, title
    assert (sheet["ballot"]["title"] + "计票单") in text
    labels = "".join(FIGURE_LABELS.values())
    values = "".join(str(sheet[key]) for key in FIGURE_LABELS)
    assert labels + values in text
    channels = "".join(CHANNEL_LABELS.values()) + "平板与纸质合计回执码数"
    assert channels + f"{sheet['channels']['tablet']}{sheet['channels']['paper']}{sheet['cast']}{sheet['trackers']}" \
        in text
    for number, want in enumerate(expected_rows(sheet), start=1):
        measure = (want["score"] + want["grade"]) if want["score"] else want["rate"]
        line = (f"{number}{want['title']}" + "".join(str(n) for n in want["counts"].values()) + measure
                + (want["verdict"] or "") + want["rank"] + want["outcome"])
        assert line in text, line
    assert re.sub(r"\s+", "", sheet["rule_text"]) in text


RARE_NAME_CHARACTERS = "喆堃珺玥昇燊"  # in GBK, not in GB 2312: common in names


def test_pdf_shows_name_characters_beyond_gb2312(api, staff):
    title = f"张{RARE_NAME_CHARACTERS[0]}、李{RARE_NAME_CHARACTERS[1]}等{RARE_NAME_CHARACTERS[2:]}的履职测评"
    s, bid, _ = closed_ballot(api, staff, "motion", [{0: "yes"}, {0: "yes"}], title=title)
    response = api.get(f"/api/v1/ballots/{bid}/tally.pdf", s.teller)
    assert response.status_code == 200
    assert (title + "计票单") in _pdf_text(response.data)


def test_bundled_font_covers_gbk_and_the_cjk_unified_block():
    from fontTools.ttLib import TTFont

    from voting.pdf import BUNDLED_FONT

    cmap = TTFont(BUNDLED_FONT, lazy=True).getBestCmap()
    # U+4E00–U+9FEF: the block as of Unicode 11, all that Noto Sans CJK 2.004 draws.
    wanted = (set(range(0x4E00, 0x9FF0)) | set(range(0x20, 0x7F)) | set(range(0xFF01, 0xFF5F))
              | set("，。、；：？！“”《》（）…—·"))
    for high in range(0x81, 0xFF):
        for low in range(0x40, 0xFF):
            try:
                wanted.add(bytes([high, low]).decode("gbk"))
            except UnicodeDecodeError:
                pass
    codes = {c if isinstance(c, int) else ord(c) for c in wanted}
    missing = sorted(c for c in codes - {0x2252} if c not in cmap)  # ≒: not in Noto Sans CJK
    assert missing == [], "".join(map(chr, missing[:50]))


def _xlsx_rows(data: bytes) -> list[list]:
    book = load_workbook(io.BytesIO(data))
    assert book.sheetnames == ["计票单"]
    return [list(row) for row in book["计票单"].iter_rows(values_only=True)]


def test_xlsx_figures_equal_the_json(api, closed):
    s, bid, sheet = closed
    response = api.get(f"/api/v1/ballots/{bid}/tally.xlsx", s.teller)
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.data))
    rows = _xlsx_rows(response.data)
    assert rows[0][0] == sheet["ballot"]["title"] + " 计票单"
    by_label = {row[0]: row[1] for row in rows if row and row[0] is not None}
    assert by_label["会议"] == sheet["ballot"]["meeting"]["name"] and by_label["计票规则"] == sheet["rule_text"]
    for key, label in FIGURE_LABELS.items():
        assert by_label[label] == sheet[key], label
    assert by_label["其中：平板表决"] == sheet["channels"]["tablet"]
    assert by_label["其中：纸质选票"] == sheet["channels"]["paper"]
    assert by_label["平板与纸质合计"] == sheet["cast"] and by_label["回执码数"] == sheet["trackers"]
    start = next(i for i, row in enumerate(rows) if row[0] == "序号")
    header = rows[start]
    body = rows[start + 1:start + 1 + len(sheet["items"])]
    worksheet = book["计票单"]
    for offset, (item, want, row) in enumerate(zip(sheet["items"], expected_rows(sheet), body)):
        values = dict(zip(header, row))
        assert values["项目"] == want["title"] and values["结果"] == want["outcome"]
        assert str(values["名次"]) == want["rank"]
        for label, count in want["counts"].items():
            assert values[label] == count and isinstance(values[label], int)
            cell = worksheet.cell(row=start + 2 + offset, column=header.index(label) + 1)
            assert cell.number_format == "#,##0"
        if want["score"]:
            assert Fraction(values["得分"]).limit_denominator(10_000) == Fraction(item["score"])
            assert values["得分（精确）"] == item["score"] and values["等次"] == want["grade"]
        else:
            rate_label = "满意率" if sheet["ballot"]["kind"] == "appraisal" else "得票率"
            if item["rate"] is None:
                assert values[rate_label] == "—"
            else:
                assert values[rate_label] == pytest.approx(float(Fraction(item["rate"])), abs=1e-12)
                cell = worksheet.cell(row=start + 2 + offset, column=header.index(rate_label) + 1)
                assert cell.number_format == "0.00%"
                exact = values[f"{rate_label}（精确）"]
                count, base = (int(part) for part in exact.split("/"))
                assert Fraction(count, base) == Fraction(item["rate"])  # the same rate, unreduced
                approving = sum(item["counts"].get(c, 0) for c in ("satisfied", "basically_satisfied"))
                assert count == (approving if sheet["ballot"]["kind"] == "appraisal" else item["counts"]["yes"])
        if want["verdict"]:
            assert values["评议结论"] == want["verdict"]


def test_csv_figures_equal_the_json(api, closed):
    s, bid, sheet = closed
    response = api.get(f"/api/v1/ballots/{bid}/tally.csv", s.teller)
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert response.data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [sheet["ballot"]["title"] + " 计票单"]
    by_label = {row[0]: row[1] for row in rows if len(row) >= 2}
    for key, label in FIGURE_LABELS.items():
        assert by_label[label] == str(sheet[key]), label
    assert by_label["其中：平板表决"] == str(sheet["channels"]["tablet"])
    assert by_label["其中：纸质选票"] == str(sheet["channels"]["paper"])
    assert by_label["平板与纸质合计"] == str(sheet["cast"]) and by_label["回执码数"] == str(sheet["trackers"])
    assert by_label["计票规则"] == sheet["rule_text"]
    start = next(i for i, row in enumerate(rows) if row and row[0] == "序号")
    header = rows[start]
    for want, row in zip(expected_rows(sheet), rows[start + 1:]):
        values = dict(zip(header, row))
        assert values["项目"] == want["title"] and values["名次"] == want["rank"] and values["结果"] == want["outcome"]
        assert {label: int(values[label]) for label in want["counts"]} == want["counts"]
        if want["score"]:
            assert values["得分"] == want["score"] and values["等次"] == want["grade"]
        else:
            assert values["满意率" if sheet["ballot"]["kind"] == "appraisal" else "得票率"] == want["rate"]
