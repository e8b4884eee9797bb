"""Reading a stored sheet for print: times, void sheets, damaged sheets, spreadsheet formulas."""
import csv
import io

import pytest

from voting.sheets import charts, exports
from voting.sheets.render import SheetUnreadable, local_time, sheet_view, table_rows


def a_sheet(**changes) -> dict:
    sheet = {
        "ballot": {"id": "7", "title": "=HYPERLINK(\"x\")", "kind": "selection", "round": 2, "seats": 1,
                   "secret": True, "options": ["yes", "no", "abstain"], "meeting": {"id": "1", "name": "县人代会"},
                   "body": "青山县人大常委会", "opened_at": "2026-01-05T01:30:00Z", "parent_id": "6"},
        "total": 10, "issued": 8, "cast": 9, "not_voted": 0, "valid": 9, "invalid": 0, "void": True,
        "items": [{"id": "1", "title": "-甲", "counts": {"yes": 5, "no": 2, "abstain": 2}, "outcome": "void",
                   "outcome_text": "表决无效，须重新表决", "rate": None, "rank": None}],
        "runoff": None, "seats_unfilled": 0, "rule": {}, "rule_text": "过半数", "channels": {"tablet": 6, "paper": 3},
        "trackers": 9, "closed_at": "2026-01-05T16:10:00Z",
        "signature": {"alg": "Ed25519", "public_key": "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=", "value": "c2ln"},
    }
    sheet.update(changes)
    return sheet


def test_times_are_printed_in_beijing_time():
    assert local_time("2026-01-05T16:10:00Z") == "2026-01-06 00:10"
    assert local_time("2026-01-05T16:10:00Z", with_time=False) == "2026年01月06日"
    assert local_time(None) == "—"


def test_a_void_sheet_says_so_and_decides_nothing():
    view = sheet_view(a_sheet())
    assert view.void and view.notes[0] == "收回票数多于发出票数，本次表决无效，须重新表决。"
    assert table_rows(view) == [[1, "-甲", 5, 2, 2, "—", "—", "表决无效，须重新表决"]]
    assert view.channels == [("tablet", "平板表决", 6), ("paper", "纸质选票", 3), ("sum", "合计", 9)]
    assert view.date == "2026年01月06日" and view.round == 2


def test_a_runoff_is_explained_with_item_titles():
    sheet = a_sheet(void=False, runoff={"items": ["1"], "seats": 1})
    sheet["items"][0].update(outcome="tie", outcome_text="得票相等，再次投票", rate="1/2", rank=1)
    view = sheet_view(sheet)
    assert "得票相等：-甲 须再次投票，决定剩余 1 个名额。" in view.notes
    assert table_rows(view)[0][-3:] == ["50.00%", 1, "得票相等，再次投票"]


@pytest.mark.parametrize("damage", [
    lambda s: s.pop("items"), lambda s: s.update(cast="many"), lambda s: s["ballot"].pop("kind"),
    lambda s: s.update(items=[{"id": "1"}]),
])
def test_a_damaged_sheet_is_unreadable_not_an_error(damage):
    sheet = a_sheet()
    damage(sheet)
    with pytest.raises(SheetUnreadable):
        sheet_view(sheet)


def test_csv_cells_never_start_a_formula():
    data = exports.sheet_csv(sheet_view(a_sheet()), "http://x/verify/7")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == ["'=HYPERLINK(\"x\") 计票单"]
    by_label = {row[0]: row[1] for row in rows if len(row) >= 2}
    assert by_label["表决事项"] == "'=HYPERLINK(\"x\")"
    item = next(row for row in rows if row and row[0] == "1")
    assert item[1] == "'-甲"


def test_xlsx_cells_are_never_formulas():
    from openpyxl import load_workbook

    data = exports.sheet_xlsx(sheet_view(a_sheet()), "http://x/verify/7")
    rows = list(load_workbook(io.BytesIO(data))["计票单"].iter_rows())
    assert rows[0][0].value == "=HYPERLINK(\"x\") 计票单" and rows[0][0].data_type == "s"
    assert all(cell.data_type != "f" for row in rows for cell in row)


def test_charts_escape_titles_and_survive_empty_items():
    sheet = a_sheet(void=False)
    sheet["items"][0].update(title="<b>甲</b>", counts={"yes": 0, "no": 0, "abstain": 0})
    view = sheet_view(sheet)
    svg = str(charts.sheet_chart(view))
    assert "<b>" not in svg and "&lt;b&gt;甲&lt;/b&gt;" in svg
    appraisal = a_sheet(void=False)
    appraisal["ballot"].update(kind="appraisal", options=["satisfied", "basically_satisfied", "unsatisfied"])
    appraisal["items"][0].update(counts={"satisfied": 0, "basically_satisfied": 0, "unsatisfied": 0, "abstain": 0})
    assert "无有效票" in str(charts.sheet_chart(sheet_view(appraisal)))
