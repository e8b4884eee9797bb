"""Keep deputies' card secrets out of logs. A card's URL is /card/<secret>; an access
log line or an error message naming that path would hand the card to whoever reads the
log. `redact` masks the secret; `RedactCardFilter` applies it to a logger's records
(the Werkzeug development server's and the app's); gunicorn.conf.py applies it to the
access log. Plain Python, no Flask: gunicorn's master imports it."""
import logging
import re

CARD_PATH = re.compile(r"(/card/)[^/?#\s\"']+")


def redact(text: str) -> str:
    """`/card/<secret>` becomes `/card/…` wherever it appears in `text`."""
    return CARD_PATH.sub(r"\1…", text) if "/card/" in text else text


class RedactCardFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "/card/" in message:
            record.msg, record.args = redact(message), ()
        return True


def install(*loggers: logging.Logger) -> None:
    """Add the filter once to each logger (idempotent: apps built again add nothing)."""
    for logger in loggers:
        if not any(isinstance(f, RedactCardFilter) for f in logger.filters):
            logger.addFilter(RedactCardFilter())
