"""The QR code printed on every tally sheet: it opens the public verification page."""
import re

import qrcode
import qrcode.image.svg
from markupsafe import Markup
from qrcode.constants import ERROR_CORRECT_M

from voting.collection.qr import absolute_url, qr_png

_SIZE = re.compile(r'\s(width|height)="[^"]*"')


def verify_url(ballot_id) -> str:
    """Absolute URL of /verify/<id>: PUBLIC_BASE_URL when set, else this request's host."""
    return absolute_url("verification.verify", bid=str(ballot_id))


def qr_svg(data: str, label: str = "核验二维码") -> Markup:
    """The QR code as inline SVG (no image request, allowed by the CSP), sized by CSS."""
    image = qrcode.make(data, image_factory=qrcode.image.svg.SvgPathImage, error_correction=ERROR_CORRECT_M,
                        border=2)
    svg = image.to_string(encoding="unicode")
    svg = _SIZE.sub("", svg, count=2).replace("<svg", f'<svg class="qr" role="img" aria-label="{label}"', 1)
    return Markup(svg)


def verify_qr_png(ballot_id) -> bytes:
    return qr_png(verify_url(ballot_id))
