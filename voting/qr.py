"""QR codes: a PNG of at least 1000 px for posters (intake, stations), an inline SVG for
pages (login cards, receipts, tally sheets, the hall screen's address), and the absolute
URL they hold."""
import io
import math

import qrcode
from flask import current_app, url_for
from markupsafe import Markup, escape
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


def qr_svg(data: str, label: str = "二维码") -> Markup:
    """A QR code as a small inline <svg> that scales to its box: one path, each run of
    dark modules in a row one rectangle (a few KB, so hundreds of cards print fast)."""
    code = qrcode.QRCode(error_correction=ERROR_CORRECT_M, border=2)
    code.add_data(data)
    code.make(fit=True)
    matrix = code.get_matrix()
    size = len(matrix)
    runs = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if row[x]:
                start = x
                while x < size and row[x]:
                    x += 1
                runs.append(f"M{start} {y}h{x - start}v1H{start}z")
            else:
                x += 1
    return Markup(f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" class="qr" role="img" '
            f'aria-label="{escape(label)}" shape-rendering="crispEdges"><rect width="{size}" height="{size}" '
            f'fill="#fff"/><path fill="#000" d="{"".join(runs)}"/></svg>')
