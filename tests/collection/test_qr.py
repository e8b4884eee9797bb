"""QR codes: the PNG decodes to the absolute URL of the intake page."""
# rename_endpoints: keep (API.md: a station's QR code opens /collect/<code>)
import io

import zxingcpp
from PIL import Image

from voting.collection import services


def decode(png: bytes) -> tuple[str, tuple[int, int]]:
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    results = zxingcpp.read_barcodes(image.convert("L"))
    assert len(results) == 1, "exactly one QR code expected"
    return results[0].text, image.size


def test_qr_decodes_to_the_request_host_url(client, station):
    response = client.get("/collect/DH-01/qr.png", base_url="http://192.168.1.20:8000")
    assert response.status_code == 200 and response.mimetype == "image/png"
    text, size = decode(response.data)
    assert text == "http://192.168.1.20:8000/collect/DH-01"  # API.md: the QR opens /collect/<code>
    assert min(size) >= 1000


def test_qr_uses_public_base_url_when_configured(make_app, body):
    app = make_app(PUBLIC_BASE_URL="https://minsheng.example.gov.cn/")
    with app.app_context():
        services.create_station(body.id, {"code": "XL-07", "name": "西岭乡联络站"}, actor="test")
        response = app.test_client().get("/collection/intake/xl-07/qr.png", base_url="http://internal:5000")
    text, size = decode(response.data)
    assert text == "https://minsheng.example.gov.cn/collect/XL-07"
    assert min(size) >= 1000


def test_deputy_code_qr(client, station):
    services.create_deputy_code(station.body_id, {"code": "D-LI", "deputy_name": "李秀英"}, actor="test")
    text, _ = decode(client.get("/collection/intake/d/D-LI/qr.png", base_url="http://hall.local").data)
    assert text == "http://hall.local/collection/intake/d/D-LI"
    assert client.get(text.replace("http://hall.local", "")).status_code == 200


def test_unknown_station_qr_is_404(client, station):
    assert client.get("/collection/intake/NOPE/qr.png").status_code == 404


def test_poster_shows_name_big_qr_and_instructions(secretariat_client, station):
    page = secretariat_client.get(f"/collection/stations/{station.id}/poster").get_data(as_text=True)
    assert "东湖镇代表联络站" in page
    assert '<img class="poster-qr" src="/collection/intake/DH-01/qr.png"' in page
    assert "扫描" in page and "查询码" in page
    assert "<script>" not in page.replace('<script src="/static/js/collection.js" defer></script>', "")
