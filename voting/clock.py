"""The app's clock: naive UTC now, from config VOTING_CLOCK (a callable) when set, so
tests move time (a ballot's timer) without sleeping. Rules never read it: services read
it once and pass `now` in."""
from datetime import datetime

from flask import current_app, has_app_context

from voting.accounts.models import utcnow


def clock() -> datetime:
    configured = current_app.config.get("VOTING_CLOCK") if has_app_context() else None
    return (configured() if configured else utcnow()).replace(microsecond=0)
