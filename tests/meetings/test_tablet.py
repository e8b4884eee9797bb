"""The deputy's tablet page: a light shell that talks only to this host."""
import re
from pathlib import Path

import pytest

from tests.ballots.sitting import Sitting

pytestmark = pytest.mark.usefixtures("fresh_request_globals")  # see tests/conftest.py

STATIC = Path(__file__).resolve().parents[2] / "static"
PAGE_BUDGET = 150 * 1024


def test_tablet_shell_and_its_weight(client, api, staff):
    s = Sitting(api, staff, size=2)
    assert client.get(f"/card/{s.deputies[0]['card']}").status_code == 302
    response = client.get("/tablet")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f'data-meeting="{s.mid}"' in html and "data-csrf=" in html
    assert "<script>" not in html  # the CSP allows only script files
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', html)
    assert any(a.endswith("tablet.js") for a in assets) and any(a.endswith("app.css") for a in assets)
    weight = len(response.data) + sum((STATIC / a[len("/static/"):]).stat().st_size for a in assets)
    assert weight <= PAGE_BUDGET, weight
    assert not re.search(r'(?:src|href|action)="(?:https?:)?//', html)  # nothing from another host


def test_no_asset_names_another_host():
    for path in list((STATIC / "js").glob("*.js")) + [STATIC / "css" / "app.css"]:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"https?://(?!www\.w3\.org)", text), path


def test_reissued_card_ends_the_tablet_session(client, api, staff):
    s = Sitting(api, staff, size=1)
    client.get(f"/card/{s.deputies[0]['card']}")
    assert client.get("/tablet").status_code == 200
    api.post(f"/api/v1/meetings/{s.mid}/deputies/{s.deputies[0]['id']}/card", s.secretariat)
    response = client.get("/tablet")
    assert response.status_code == 403 and "登录卡已作废" in response.get_data(as_text=True)


def test_closed_meeting_ends_the_tablet(client, api, staff):
    s = Sitting(api, staff, size=1)
    client.get(f"/card/{s.deputies[0]['card']}")
    assert api.post(f"/api/v1/meetings/{s.mid}/close", s.secretariat).status_code == 200
    response = client.get("/tablet")
    assert response.status_code == 403 and "会议已结束" in response.get_data(as_text=True)
