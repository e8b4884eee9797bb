"""Keep deputies' card secrets and receipt codes out of logs. A card's URL is
/card/<secret>; an access log line or an error message naming that path would hand the
card to whoever reads the log. The tablet fetches its receipt's QR code as
/receipt-qr.svg?code=<receipt>: next to the tablet's address in a log line, that code
would tie the receipt (and, once published, the ballot) to the tablet; so would the receipt
check (/receipt-check?code=<receipt>, /api/v1/ballots/<id>/receipt-check/<receipt>). `redact` masks them all; `RedactCardFilter` applies it to a logger's records
(the Werkzeug development server's and the app's); gunicorn.conf.py applies it to the
access log. Plain Python, no Flask: gunicorn's master imports it."""
import logging
import re

CARD_PATH = re.compile(r"(/card/)[^/?#\s\"']+")
RECEIPT_QUERY = re.compile(r"(receipt-(?:qr\.svg|check)\?(?:[^\s\"'#]*&)?code=)[^&#\s\"']+")
RECEIPT_PATH = re.compile(r"(/receipt-check/)[^/?#\s\"']+")
MARKERS = ("/card/", "receipt-qr", "receipt-check")


def redact(text: str) -> str:
    """`/card/<secret>` becomes `/card/…` and `receipt-qr.svg?code=<receipt>` becomes
    `receipt-qr.svg?code=…` wherever they appear in `text`."""
    if "/card/" in text:
        text = CARD_PATH.sub(r"\1…", text)
    if "receipt-qr" in text or "receipt-check" in text:
        text = RECEIPT_PATH.sub(r"\1…", RECEIPT_QUERY.sub(r"\1…", text))
    return text


class RedactCardFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if any(marker in message for marker in MARKERS):
            record.msg, record.args = redact(message), ()
        return True


def install(*loggers: logging.Logger) -> None:
    """Add the filter once to each logger (idempotent: apps built again add nothing)."""
    for logger in loggers:
        if not any(isinstance(f, RedactCardFilter) for f in logger.filters):
            logger.addFilter(RedactCardFilter())
