"""Test data factories (gen_*), a small JSON API client, the login form and the other
forms and files the page tests use. The one set of helpers (with tests/ballots/sitting.py)."""
import io
import itertools

from voting.accounts.models import STAFF_ROLES, Body
from voting.accounts.services import create_or_update_user
from voting.extensions import db

PASSWORD = "correct-horse-battery"
_seq = itertools.count(1)


def gen_body(name: str | None = None, level: str = "county", parent: Body | None = None) -> Body:
    body = Body(name=name or f"测试县人大常委会{next(_seq)}", level=level, parent_id=parent.id if parent else None)
    db.session.add(body)
    db.session.commit()
    return body


def gen_user(role: str, body: Body, username: str | None = None, password: str = PASSWORD, **extra):
    username = username or f"{role}{next(_seq)}"
    user, _ = create_or_update_user(username, role, password, body=body, **extra)
    db.session.commit()
    return user


class ApiClient:
    """Wraps the Flask test client: JSON in and out, bearer tokens by name."""

    def __init__(self, client):
        self.client = client

    def token(self, username: str, password: str = PASSWORD) -> str:
        response = self.client.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def card_token(self, card: str) -> str:
        response = self.client.post("/api/v1/auth/token", json={"card": card})
        assert response.status_code == 200, response.get_json()
        return response.get_json()["token"]

    def call(self, method: str, path: str, token: str | None = None, json=None, headers=None, **kwargs):
        all_headers = dict(headers or {})
        if token:
            all_headers["Authorization"] = f"Bearer {token}"
        return self.client.open(path, method=method, json=json, headers=all_headers, **kwargs)

    def get(self, path, token=None, **kwargs):
        return self.call("GET", path, token, **kwargs)

    def post(self, path, token=None, json=None, **kwargs):
        return self.call("POST", path, token, json=json, **kwargs)


__all__ = ["PASSWORD", "STAFF_ROLES", "gen_body", "gen_user", "ApiClient", "login", "csv_file", "xlsx_file",
           "create_meeting", "import_roster", "decode_svg_qr", "assert_refused"]


def login(client, user):
    """Sign `user` (an account or its username) in with the login form, signing out
    whoever the client held; the client. Reading the user may have opened a write
    transaction in the test's own session (SQLite): it is ended first, so that other
    apps and threads may write."""
    from tests.ballots.sitting import release_database

    username = user if isinstance(user, str) else user.username
    release_database()
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


# ---- forms the console tests fill in, and the QR codes they read back

def csv_file(text: str, name: str = "roster.csv"):
    return (io.BytesIO(text.encode("utf-8")), name)


def xlsx_file(rows: list[list], name: str = "roster.xlsx"):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    out.seek(0)
    return (out, name)


def create_meeting(client, name="测试县第十八届人大第一次会议", **extra) -> int:
    response = client.post("/meetings", data={"name": name, "year": "2025", **extra})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]
    return int(response.headers["Location"].rstrip("/").split("/")[-2])


def import_roster(client, mid: int, size: int):
    lines = ["name,delegation,number"] + [f"代表{i:03d},第{i % 3 + 1}代表团,{i:03d}" for i in range(1, size + 1)]
    return client.post(f"/meetings/{mid}/roster", data={"file": csv_file("\n".join(lines) + "\n")},
                       content_type="multipart/form-data")


def decode_svg_qr(svg: str) -> str:
    """Draw the card's SVG path (runs of dark modules) and read it back with zxing."""
    import re

    import zxingcpp
    from PIL import Image, ImageDraw

    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))
    scale = 8
    image = Image.new("L", ((size + 8) * scale, (size + 8) * scale), 255)
    draw = ImageDraw.Draw(image)
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)", svg):
        x, y, width = int(x) + 4, int(y) + 4, int(width)
        draw.rectangle([x * scale, y * scale, (x + width) * scale - 1, (y + 1) * scale - 1], fill=0)
    results = zxingcpp.read_barcodes(image)
    assert results, "no QR code found"
    return results[0].text


def assert_refused(response, status: int, code: str):
    """An API refusal: exactly this status and this error code (shared/API.md)."""
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True)[:300])
    assert response.get_json()["error"]["code"] == code, response.get_json()
    return response
