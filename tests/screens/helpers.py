"""Browser-form helpers for the console tests: staff log in with the login form."""
import io

from tests.ballots.sitting import release_database
from tests.factories import PASSWORD


def login(client, user):
    """Log `user` in with the login form. Reading the user may have opened a write
    transaction in the test's own session (SQLite): end it, other apps may write."""
    username = user.username
    release_database()
    client.post("/logout")
    response = client.post("/login", data={"username": username, "password": PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return client


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
