"""No 500 for any input (issue #19): absurdly nested JSON, lone surrogates, integers
beyond 64 bits in bodies and in paths, and query strings an old view passed through
get a 4xx with a Chinese message and store nothing."""
import json

import pytest
from sqlalchemy import func, select

from tests.factories import login
from tests.ballots.sitting import Sitting
from voting.extensions import db
from voting.meetings.models import Meeting

NESTED = "[" * 100000 + "]" * 100000


def _error(response, status=400, code="bad_request") -> str:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    error = response.get_json()["error"]
    assert error["code"] == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in error["message"]), error["message"]
    return error["message"]


def _meetings() -> int:
    return db.session.scalar(select(func.count()).select_from(Meeting))


@pytest.mark.parametrize("path", ["/api/v1/auth/token", "/api/v1/proposals", "/api/v1/meetings"])
def test_deeply_nested_json_is_refused(client, api, staff, path):
    token = api.token(staff["secretariat"].username)
    body = '{"name": ' + NESTED + "}"
    response = client.post(path, data=body, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert "嵌套" in _error(response)
    assert _meetings() == 0


def test_a_vote_nested_beyond_the_limit_is_refused_and_not_stored(client, api, staff):
    sitting = Sitting(api, staff, size=3)
    sitting.check_in([0, 1, 2])
    ballot = sitting.ballot(items=2, seats=1)
    sitting.act(ballot["id"], "open")
    deep = {"x": 1}
    for _ in range(40):
        deep = {"x": deep}
    response = client.post(f"/api/v1/ballots/{ballot['id']}/votes", data=json.dumps({"choices": deep}),
                           content_type="application/json",
                           headers={"Authorization": f"Bearer {sitting.token(0)}", "Idempotency-Key": "k" * 16})
    assert "嵌套" in _error(response)
    progress = api.get(f"/api/v1/ballots/{ballot['id']}", sitting.secretariat).get_json()["progress"]
    assert progress["voted"] == 0


def test_a_lone_surrogate_is_refused(client, api, staff):
    token = api.token(staff["secretariat"].username)
    response = client.post("/api/v1/meetings", data='{"name": "\\ud800会议"}', content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert "字符" in _error(response)
    assert _meetings() == 0


def test_a_lone_surrogate_sent_as_raw_bytes_is_refused(client, api, staff):
    """Without any escape in the text: the fast path (no string walk) must not take it."""
    token = api.token(staff["secretariat"].username)
    response = client.post("/api/v1/meetings", data='{"name": "会议'.encode() + b"\xed\xa0\x80" + b'"}',
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert _meetings() == 0


def _outcome(app, text: str) -> str:
    from voting.inputlimits import UnsafeJSON

    try:
        app.json.loads(text)
    except UnsafeJSON as error:
        return str(error)
    return "ok"


@pytest.mark.parametrize("depth", [30, 31, 32, 33, 34])
@pytest.mark.parametrize("inner", ["[]", "{}", "1", '"x"', "[1]", '{"k": null}', '{"k": []}'])
def test_the_depth_limit_is_the_same_with_and_without_escapes_in_the_text(app, depth, inner):
    """A body with no escape is checked for depth only (inputlimits._nesting), one with
    an escape string by string (_check): both draw the line at the same place."""
    plain = "[" * depth + inner + "]" * depth
    escaped = '{"e": "\\u00e9", "v": ' + "[" * (depth - 1) + inner + "]" * (depth - 1) + "}"
    assert "\\u" not in plain and "\\u" in escaped
    assert _outcome(app, plain) == _outcome(app, escaped)
    deepest = depth + (0 if inner in ("[]", "{}", "1", '"x"') else 1)  # the depth of the deepest member
    assert (_outcome(app, plain) == "ok") == (deepest <= 32)


@pytest.mark.parametrize("where", ['{"name": "会\\u0000议"}', '{"name": "会议", "x\\u0000": 1}',
                                   '{"name": "会议", "deep": [[{"a": "\\u0000"}]]}'])
def test_a_nul_anywhere_in_a_body_is_refused(client, api, staff, where):
    token = api.token(staff["secretariat"].username)
    response = client.post("/api/v1/meetings", data=where, content_type="application/json",
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert "控制字符" in _error(response)
    assert _meetings() == 0


def test_integers_beyond_64_bits_in_a_body_are_refused(client, api, staff):
    sitting = Sitting(api, staff, size=2)
    response = client.post(f"/api/v1/meetings/{sitting.mid}/checkin", data='{"deputy_id": 1180591620717411303424}',
                           content_type="application/json", headers={"Authorization": f"Bearer {sitting.secretariat}"})
    assert "数字" in _error(response)
    attendance = api.get(f"/api/v1/meetings/{sitting.mid}/attendance", sitting.secretariat).get_json()
    assert attendance["present"] == 0


def test_nan_is_not_a_number_here(client, api, staff):
    token = api.token(staff["secretariat"].username)
    response = client.post("/api/v1/meetings", data='{"name": "会议", "quorum": NaN}',
                           content_type="application/json", headers={"Authorization": f"Bearer {token}"})
    _error(response)
    assert _meetings() == 0


@pytest.mark.parametrize("path", ["/verify/99999999999999999999", "/meetings/99999999999999999999",
                                  "/api/v1/meetings/99999999999999999999/live",
                                  "/meetings/2147483648", "/api/v1/ballots/3000000000"])
def test_ids_beyond_what_the_database_holds_are_not_found(client, api, staff, path):
    login(client, staff["secretariat"].username)
    response = client.get(path, headers={"Accept": "application/json"} if path.startswith("/api/") else {})
    assert response.status_code == 404


def test_the_report_of_a_named_year(client, staff):
    login(client, staff["secretariat"].username)
    response = client.get("/appraisals/report?year=2025&x=1")
    assert response.status_code == 302
    assert response.headers["Location"].endswith("/appraisals/report/2025?x=1")
    response = client.get("/appraisals/report?year=99999999999")
    assert response.status_code == 302 and "/appraisals/report/" in response.headers["Location"]


def test_a_rule_fraction_with_a_5000_digit_denominator_is_refused(client, api, staff):
    token = api.token(staff["secretariat"].username)
    response = client.post("/api/v1/meetings", json={"name": "会议", "quorum": {"fraction": "1/" + "7" * 5000,
                                                                              "inclusive": True}},
                           headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"
    assert "过长" in response.get_json()["error"]["message"]
    assert _meetings() == 0


@pytest.mark.parametrize("source", [["1"], "abc", True, 99999, 2**31, 2**62])
def test_an_item_source_must_be_an_item_of_the_same_body(client, api, staff, source):
    sitting = Sitting(api, staff, size=2)
    body = {"kind": "selection", "title": "测试", "seats": 1,
            "items": [{"title": "项目1", "source_item_id": source}, {"title": "项目2"}]}
    response = api.post(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat, json=body)
    assert "source_item_id" in _error(response)
    assert api.get(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat).get_json()["ballots"] == []


def test_an_item_of_another_body_is_no_source(client, api, staff):
    from tests.factories import gen_body, gen_user

    other_body = gen_body("另一县人大常委会")
    other = Sitting(api, {"secretariat": gen_user("secretariat", other_body)}, size=2)
    theirs = other.ballot(items=2, seats=1)["items"][0]["id"]
    sitting = Sitting(api, staff, size=2)
    body = {"kind": "selection", "title": "测试", "seats": 1,
            "items": [{"title": "项目1", "source_item_id": theirs}, {"title": "项目2"}]}
    response = api.post(f"/api/v1/meetings/{sitting.mid}/ballots", sitting.secretariat, json=body)
    assert "不存在" in _error(response)


ODD_NUMBERS = ["²", "١٢", "9" * 5000, "2147483648", "-1", "0"]
PAGES = ["/collection/proposals?body={}", "/collection/proposals?page={}", "/tracking/public?year={}",
         "/tracking/public?body={}", "/tracking/projects?body={}", "/rollups?body={}", "/rollups?year={}",
         "/appraisals?body={}", "/appraisals/report?year={}", "/api/v1/projects?body={}",
         "/api/v1/ballots/{}", "/meetings/{}/live"]


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_odd_numbers_in_queries_and_paths_are_never_a_500(client, staff, value):
    """str.isdigit() is true for "²", which int() refuses, and PostgreSQL refuses an
    INTEGER id above 2**31 - 1: every number a user can type goes through
    voting.inputlimits (id_from, small_int)."""
    login(client, staff["secretariat"].username)
    for page in PAGES:
        url = page.format(value)
        response = client.get(url, headers={"Accept": "application/json"} if url.startswith("/api/") else {})
        assert response.status_code < 500, (url, response.status_code)
