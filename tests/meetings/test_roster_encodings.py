"""Roster files as clerks save them (issue #19): Excel's plain "CSV" on a Chinese
Windows is GBK/GB18030, not UTF-8; a file that is neither is refused line by line."""
import pytest

from voting.errors import RosterError
from voting.meetings.roster_files import parse_roster_upload

ROSTER = "姓名,代表团,编号\n王建国,城关代表团,001\n李秀英,东湖代表团,002\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_a_roster_in_each_encoding_excel_writes_reads_the_same(encoding):
    rows = parse_roster_upload("名单.csv", ROSTER.encode(encoding))
    assert [(line, row["name"], row["delegation"], row["number"]) for line, row in rows] == [
        (2, "王建国", "城关代表团", "001"), (3, "李秀英", "东湖代表团", "002")]


def test_an_undecodable_file_names_its_bad_lines():
    data = ROSTER.encode("utf-8") + b"\xff\xfe\xfd,x,003\n" + "张志强,西岭代表团,004\n".encode("utf-8") + b"\x80\xff,y,005\n"
    with pytest.raises(RosterError) as refused:
        parse_roster_upload("名单.csv", data)
    lines = [line for line, _message in refused.value.problems]
    assert lines == [4, 6]
    assert all("CSV UTF-8" in message for _line, message in refused.value.problems)


def test_the_api_reads_a_gbk_roster_and_refuses_an_undecodable_one(api, staff):
    from tests.ballots.sitting import Sitting

    sitting = Sitting(api, staff, size=0)
    path = f"/api/v1/meetings/{sitting.mid}/deputies"
    response = api.post(path, sitting.secretariat, data=b"\xff\xfe,x,1\n", content_type="text/csv")
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_roster"
    response = api.post(path, sitting.secretariat, data=ROSTER.encode("gbk"), content_type="text/csv")
    assert response.status_code == 201, response.get_json()
    assert [d["name"] for d in response.get_json()["deputies"]] == ["王建国", "李秀英"]
