"""Per-address rate limits of the public collection endpoints. The limits are
settings so that a deployment (or a test) can change them:

    INTAKE_RATE_LIMIT    submissions, shared by the intake pages and POST /api/v1/proposals
    TRACKING_RATE_LIMIT  tracking-code look-ups (page and API)
    SIMILAR_RATE_LIMIT   the intake page's "similar proposals" hints
"""
from flask import current_app

from voting.extensions import limiter

DEFAULTS = {
    "INTAKE_RATE_LIMIT": "5/minute;30/day",
    "TRACKING_RATE_LIMIT": "30/minute;300/day",
    "SIMILAR_RATE_LIMIT": "60/minute",
}


def _setting(name: str):
    return lambda: current_app.config.get(name) or DEFAULTS[name]


intake_limit = limiter.shared_limit(_setting("INTAKE_RATE_LIMIT"), scope="collection-intake")
tracking_limit = limiter.shared_limit(_setting("TRACKING_RATE_LIMIT"), scope="collection-tracking")
similar_limit = limiter.shared_limit(_setting("SIMILAR_RATE_LIMIT"), scope="collection-similar")
