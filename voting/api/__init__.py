"""The JSON API of shared/API.md, mounted at /api/v1."""
from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")

from voting.api import errors, auth, openapi  # noqa: E402,F401  (route registration)
from voting.api import collection  # noqa: E402,F401  (collection endpoints)
from voting.api import meetings, ballots  # noqa: E402,F401  (meetings and ballots endpoints)
from voting.api import projects  # noqa: E402,F401  (supervision endpoints)
from voting.api import sheets  # noqa: E402,F401  (tally files and paper ballots)
from voting.live import api as live  # noqa: E402,F401  (/meetings/<mid>/events and /live, the hall's stream)
