"""Stations and deputy codes: create, edit, CSV import that is all or nothing."""
import io

import pytest

from tests.collection.conftest import submit
from voting.collection import services
from voting.collection.models import DeputyCode, LiaisonStation
from voting.extensions import db
from voting.errors import Refusal
from voting.integrity.models import AuditEntry


def csv_upload(client, text: str, encoding: str = "utf-8"):
    return client.post("/collection/stations/import", content_type="multipart/form-data",
                       data={"file": (io.BytesIO(text.encode(encoding)), "stations.csv")})


def test_create_and_edit_station(app, secretariat_client):
    response = secretariat_client.post("/collection/stations", data={"code": " dh-02 ", "name": "东湖镇第二联络站",
                                                                      "township": "东湖镇", "address": "湖滨路"})
    assert response.status_code == 302
    station = db.session.query(LiaisonStation).one()
    assert station.code == "DH-02"
    response = secretariat_client.post(f"/collection/stations/{station.id}/edit",
                                       data={"code": "DH-02", "name": "东湖镇湖滨联络站", "township": "东湖镇", "address": ""})
    assert response.status_code == 302
    db.session.expire_all()
    assert station.name == "东湖镇湖滨联络站" and station.address == ""
    assert {e.action for e in db.session.query(AuditEntry)} >= {"station_created", "station_updated"}
    assert "东湖镇湖滨联络站" in secretariat_client.get("/collection/stations").get_data(as_text=True)


@pytest.mark.parametrize("data, words", [
    ({"code": "", "name": "x站"}, "请填写站点编码"),
    ({"code": "站点一", "name": "x站"}, "只能由字母、数字"),
    ({"code": "-AB", "name": "x站"}, "只能由字母、数字"),
    ({"code": "DH-01", "name": ""}, "请填写“站点名称”"),
    ({"code": "DH-01", "name": "重复站"}, "已被使用"),
])
def test_bad_station_input(app, secretariat_client, station, data, words):
    response = secretariat_client.post("/collection/stations", data=data)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert db.session.query(LiaisonStation).count() == 1


def test_import_clean_file(app, secretariat_client):
    text = "code,name,township,address\nXL-01,西岭乡联络站,西岭乡,西岭街1号\nXL-02,西岭乡第二联络站,西岭乡,\n\n"
    response = csv_upload(secretariat_client, "\ufeff" + text)
    assert response.status_code == 302
    assert sorted(s.code for s in db.session.query(LiaisonStation)) == ["XL-01", "XL-02"]


def test_import_reports_every_bad_row_and_imports_nothing(app, secretariat_client, station):
    text = ("code,name,township,address\n"
            "XL-01,西岭乡联络站,西岭乡,\n"       # line 2: fine
            "DH-01,重复的站,东湖镇,\n"           # line 3: code taken
            "XL-01,又一个,西岭乡,\n"             # line 4: duplicate in file
            "坏编码,名字,乡,\n"                   # line 5: bad code
            "XL-05,,西岭乡,\n"                   # line 6: no name
            "XL-06,多一列,西岭乡,地址,额外\n")   # line 7: wrong column count
    response = csv_upload(secretariat_client, text)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    for line in (3, 4, 5, 6, 7):
        assert f"第 {line} 行" in page
    assert "第 2 行：" not in page
    assert "与第 2 行重复" in page
    assert db.session.query(LiaisonStation).count() == 1


@pytest.mark.parametrize("text, words", [
    ("", "文件是空的"),
    ("编码,名称\nA1,x\n", "表头必须是"),
    ("code,name,township,address\n", "没有站点数据"),
])
def test_import_bad_files(app, secretariat_client, text, words):
    response = csv_upload(secretariat_client, text)
    assert response.status_code == 400 and words in response.get_data(as_text=True)
    assert db.session.query(LiaisonStation).count() == 0


def test_import_accepts_gbk_from_excel(app, secretariat_client):
    response = csv_upload(secretariat_client, "code,name,township,address\nNP-01,南坪镇联络站,南坪镇,\n", "gb18030")
    assert response.status_code == 302
    assert db.session.query(LiaisonStation).one().name == "南坪镇联络站"


def test_leader_cannot_manage_stations(app, leader_client, station):
    assert leader_client.post("/collection/stations", data={"code": "Z-1", "name": "x"}).status_code == 403
    assert csv_upload(leader_client, "code,name,township,address\nZ-2,x,,\n").status_code == 403
    page = leader_client.get("/collection/stations").get_data(as_text=True)
    assert "添加联络站" not in page and "打印海报" in page


def test_deputy_codes(app, secretariat_client, station):
    response = secretariat_client.post("/collection/deputy-codes",
                                       data={"deputy_code": "d-wang", "deputy_name": "王建国", "station_id": str(station.id)})
    assert response.status_code == 302
    entry = db.session.query(DeputyCode).one()
    assert entry.code == "D-WANG" and entry.station_id == station.id
    again = secretariat_client.post("/collection/deputy-codes", data={"deputy_code": "D-WANG", "deputy_name": "李四"})
    assert again.status_code == 400 and "已被使用" in again.get_data(as_text=True)
    poster = secretariat_client.get(f"/collection/deputy-codes/{entry.id}/poster").get_data(as_text=True)
    assert "王建国代表" in poster and "/collection/intake/d/D-WANG/qr.png" in poster


@pytest.mark.parametrize("action", [
    lambda body, station, proposal: services.create_station(body.id, {"code": "", "name": ""}, actor="test"),
    lambda body, station, proposal: services.update_station(station, {"code": "坏 码", "name": "新名字"}, actor="test"),
    lambda body, station, proposal: services.create_candidate(body.id, {"title": ""}, actor="test"),
    lambda body, station, proposal: services.change_status(proposal, "nonsense", actor="test"),
])
def test_a_refused_action_rolls_back_in_the_service_not_the_view(app, body, station, action):
    """The service ends its transaction (voting.extensions.one_action): after a refusal
    nothing of the action, nor anything else pending, is left in the session."""
    proposal = submit(station)
    body.name = "未提交的改动"
    with pytest.raises(Refusal):
        action(body, station, proposal)
    assert not db.session.dirty and not db.session.new
    assert body.name != "未提交的改动"
    assert db.session.get(LiaisonStation, station.id).code == "DH-01"

