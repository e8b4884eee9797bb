"""Hypothesis fuzzing of the two ways outsiders put data in: the public intake and the
roster import. Whatever comes in: no 5xx, and either a clean acceptance or a clear
Chinese error with nothing stored."""
import string

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from tests.ballots.sitting import Sitting
from voting.collection.models import LiaisonStation, Proposal
from voting.extensions import db
from voting.meetings.models import Deputy

FUZZ = settings(max_examples=40, deadline=None, database=None, derandomize=True,
                suppress_health_check=list(HealthCheck))
texts = st.one_of(st.text(max_size=80), st.text(alphabet="民生实事项目<>&\"'\x00\u202e\n\t ", max_size=3000),
                  st.integers(), st.none(), st.lists(st.integers(), max_size=3), st.booleans())
CJK_CATEGORIES = ["教育", "医疗卫生", "养老", "交通", "其他"]


def _chinese(min_size, max_size):
    return st.text(alphabet="民生实事项目建设改造学校道路养老服务中心社区", min_size=min_size, max_size=max_size)


@given(payload=st.fixed_dictionaries(
    {}, optional={"station": st.one_of(st.just("ST01"), texts), "title": st.one_of(_chinese(4, 60), texts),
                  "description": st.one_of(_chinese(10, 200), texts),
                  "category": st.one_of(st.sampled_from(CJK_CATEGORIES), texts),
                  "location": texts, "contact": texts, "website": texts}))
@FUZZ
def test_public_intake_never_breaks(app, api, body, payload):
    if db.session.get(LiaisonStation, 1) is None and not db.session.execute(select(LiaisonStation)).first():
        db.session.add(LiaisonStation(body_id=body.id, code="ST01", name="测试联络站", township="东湖镇"))
        db.session.commit()
    before = db.session.scalar(select(func.count(Proposal.id)))
    response = api.post("/api/v1/proposals", json=payload)
    after = db.session.scalar(select(func.count(Proposal.id)))
    assert response.status_code < 500
    if response.status_code == 201:
        assert after == before + 1
        assert response.get_json()["tracking_code"]
    else:
        assert after == before
        error = response.get_json()["error"]
        assert error["code"] and any("\u4e00" <= ch <= "\u9fff" for ch in error["message"])


rows = st.lists(st.fixed_dictionaries({}, optional={"name": texts, "delegation": texts, "number": texts}), max_size=6)
csv_text = st.text(alphabet=string.printable + "姓名代表团,\"\r\n\x00", max_size=400)


@given(body_rows=st.one_of(rows, texts), raw_csv=csv_text)
@FUZZ
def test_roster_import_is_all_or_nothing(app, api, staff, body_rows, raw_csv):
    sitting = Sitting(api, staff, size=0)
    for request in ({"json": {"deputies": body_rows}}, {"data": raw_csv.encode("utf-8"), "content_type": "text/csv"}):
        before = db.session.scalar(select(func.count(Deputy.id)).filter_by(meeting_id=int(sitting.mid)))
        response = api.client.post(f"/api/v1/meetings/{sitting.mid}/deputies",
                                   headers={"Authorization": f"Bearer {sitting.secretariat}"}, **request)
        after = db.session.scalar(select(func.count(Deputy.id)).filter_by(meeting_id=int(sitting.mid)))
        assert response.status_code < 500
        if response.status_code == 201:
            assert after - before == response.get_json()["created"]
        else:
            assert after == before
            assert response.get_json()["error"]["message"]
