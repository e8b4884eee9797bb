"""QR codes of the intake pages: a PNG of at least 1000 px for printing on posters."""
import io
import math

import qrcode
from flask import current_app, url_for
from qrcode.constants import ERROR_CORRECT_M

MIN_PIXELS = 1000
BORDER = 4


def absolute_url(endpoint: str, **values) -> str:
    """The URL a phone must open: PUBLIC_BASE_URL when set (the hall LAN address),
    else the host this request came in on."""
    base = (current_app.config.get("PUBLIC_BASE_URL") or "").rstrip("/")
    if base:
        return base + url_for(endpoint, **values)
    return url_for(endpoint, _external=True, **values)


def qr_png(data: str) -> bytes:
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=BORDER, box_size=1)
    code.add_data(data)
    code.make(fit=True)
    code.box_size = math.ceil(MIN_PIXELS / (code.modules_count + 2 * BORDER))
    image = code.make_image(fill_color="black", back_color="white")
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
