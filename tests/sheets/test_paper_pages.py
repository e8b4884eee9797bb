"""The tellers' paper-ballot page: issue with one large button, enter ballot by ballot."""
import re

import pytest

from tests.factories import assert_refused, login
from tests.sheets.mixed import MixedSitting


@pytest.fixture
def live(api, staff):
    s = MixedSitting(api, staff, size=5)
    s.check_in(range(4))
    ballot = s.ballot(items=3, seats=1)
    s.bid, s.ids = ballot["id"], [item["id"] for item in ballot["items"]]
    s.act(s.bid, "open")
    return s


@pytest.fixture
def teller(app, staff):
    client = login(app.test_client(), staff["teller"])
    client.get("/dashboard")  # shows (and so clears) the welcome message
    return client


def flashes(html: str) -> list[str]:
    return re.findall(r'<div class="flash flash-(\w+)"[^>]*>(.*?)</div>', html, re.S)


def figure(html: str, key: str) -> str:
    return re.search(rf'data-figure="{key}">(\d+)<', html).group(1)


def test_the_page_shows_big_buttons_for_waiting_deputies(teller, live):
    html = teller.get(f"/sheets/{live.bid}/paper").get_data(as_text=True)
    assert html.count("btn btn-primary btn-big\">发放纸质选票</button>") == 4  # the 5th was absent at open
    assert "代表005" not in html
    assert figure(html, "issued") == "4" and figure(html, "paper-issued") == "0"
    assert 'name="csrf_token"' in html and "data-submit-once" in html
    assert html.count('type="radio"') == 3 * 3
    assert "<script" not in html.replace('<script src="/static/js/sheets.js"></script>', "")
    found = teller.get(f"/sheets/{live.bid}/paper?q=代表002").get_data(as_text=True)
    assert "代表002" in found and "代表003" not in found


def test_issue_then_enter_from_the_page(teller, live):
    response = teller.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": live.deputies[0]["id"]},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert ("success", "已向 代表001（001）发放纸质选票；该代表不能再在平板上投票。") in flashes(html)
    assert figure(html, "paper-issued") == "1" and figure(html, "paper-remaining") == "1"
    assert_refused(live.vote(0, live.bid, {live.ids[0]: "yes"}), 409, "already_voted")
    html = teller.post(f"/sheets/{live.bid}/paper/ballots", data={f"item-{live.ids[0]}": "yes",
                                                                  f"item-{live.ids[1]}": "no"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("success", "已录入第 1 张纸质选票。") in flashes(html)
    assert figure(html, "paper-entered") == "1" and figure(html, "paper-remaining") == "0"
    html = teller.post(f"/sheets/{live.bid}/paper/ballots", data={}, follow_redirects=True).get_data(as_text=True)
    kind, message = flashes(html)[0]
    assert kind == "error" and message.startswith("未录入：") and "超过发出数" in message
    assert figure(html, "paper-entered") == "1"
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"]["paper"] == 1 and sheet["items"][0]["counts"]["yes"] == 1


def test_too_many_yes_from_the_page_is_recorded_invalid(teller, live):
    teller.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": live.deputies[1]["id"]})
    html = teller.post(f"/sheets/{live.bid}/paper/ballots",
                       data={f"item-{key}": "yes" for key in live.ids[:2]}, follow_redirects=True)
    assert ("warning", "已录入第 1 张纸质选票：赞成超过应选数 1 项，记为无效票（作废）。") \
        in flashes(html.get_data(as_text=True))
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert (sheet["cast"], sheet["invalid"], sheet["valid"]) == (1, 1, 0)


def test_refusals_are_shown_not_raised(teller, live):
    assert live.vote(2, live.bid, {}).status_code == 201
    html = teller.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": live.deputies[2]["id"]},
                       follow_redirects=True).get_data(as_text=True)
    assert flashes(html)[0][0] == "error" and "已经对本项表决投过票" in flashes(html)[0][1]
    html = teller.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": "x"},
                       follow_redirects=True).get_data(as_text=True)
    assert ("error", "本次会议没有这名代表。") in flashes(html)
    html = teller.post(f"/sheets/{live.bid}/paper/ballots", data={f"item-{live.ids[0]}": "maybe"},
                       follow_redirects=True).get_data(as_text=True)
    assert flashes(html)[0][0] == "error"


def test_only_tellers_use_the_page(app, staff, live):
    for role in ("leader", "secretariat"):
        client = login(app.test_client(), staff[role])
        assert client.get(f"/sheets/{live.bid}/paper").status_code == 403
        assert client.post(f"/sheets/{live.bid}/paper/issue",
                           data={"deputy_id": live.deputies[0]["id"]}).status_code == 403
    assert app.test_client().get(f"/sheets/{live.bid}/paper").status_code == 302


def test_forms_need_the_csrf_token(make_app, staff, live):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        client = app.test_client()
        page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', page)
        token = token.group(1) or token.group(2)
        client.post("/login", data={"username": staff["teller"].username, "password": "correct-horse-battery",
                                    "csrf_token": token})
        refused = client.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": live.deputies[0]["id"]})
        assert refused.status_code == 400
    assert live.vote(0, live.bid, {}).status_code == 201


def test_closed_ballot_page_links_the_sheet(teller, live):
    live.act(live.bid, "close")
    html = teller.get(f"/sheets/{live.bid}/paper").get_data(as_text=True)
    assert "不能发放或录入纸质选票" in html and f'href="/sheets/{live.bid}"' in html
    assert "发放纸质选票</button>" not in html


def test_totals_from_the_page(teller, live):
    for index in (0, 1, 2):
        teller.post(f"/sheets/{live.bid}/paper/issue", data={"deputy_id": live.deputies[index]["id"]},
                    follow_redirects=True)
    a, b, c = live.ids
    form = {"ballots": "3", "invalid": "1", f"count-{a}-yes": "1", f"count-{a}-no": "1", f"count-{b}-yes": "0",
            f"count-{b}-no": "0", f"count-{c}-yes": "1", f"count-{c}-no": "0"}
    html = teller.post(f"/sheets/{live.bid}/paper/totals", data={**form, "ballots": "x"},
                       follow_redirects=True).get_data(as_text=True)
    assert flashes(html)[0][0] == "error" and figure(html, "paper-entered") == "0"
    html = teller.post(f"/sheets/{live.bid}/paper/totals", data=form, follow_redirects=True).get_data(as_text=True)
    assert ("success", "已汇总录入 3 张纸质选票（其中无效 1 张）。") in flashes(html)
    assert figure(html, "paper-entered") == "3" and figure(html, "paper-remaining") == "0"
    live.act(live.bid, "close")
    sheet = live.tally(live.bid).get_json()
    assert sheet["channels"] == {"tablet": 0, "paper": 3} and (sheet["valid"], sheet["invalid"]) == (2, 1)
    assert [item["counts"] for item in sheet["items"]] == [{"yes": 1, "no": 1, "abstain": 0},
                                                           {"yes": 0, "no": 0, "abstain": 2},
                                                           {"yes": 1, "no": 0, "abstain": 1}]
