"""The QR code printed on every tally sheet: it opens the public verification page."""
from voting.qr import absolute_url, qr_png


def verify_url(ballot_id) -> str:
    """Absolute URL of /verify/<id>: PUBLIC_BASE_URL when set, else this request's host."""
    return absolute_url("verification.verify", bid=str(ballot_id))


def verify_qr_png(ballot_id) -> bytes:
    return qr_png(verify_url(ballot_id))
