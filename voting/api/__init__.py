"""The JSON API of shared/API.md, mounted at /api/v1."""
from voting.api.blueprint import bp  # noqa: F401  (the app registers voting.api.bp)
from voting.api import errors, auth, openapi  # noqa: F401  (route registration)
from voting.api import collection  # noqa: F401  (collection endpoints)
from voting.api import meetings, ballots  # noqa: F401  (meetings and ballots endpoints)
from voting.api import projects  # noqa: F401  (supervision endpoints)
from voting.api import sheets  # noqa: F401  (tally files and paper ballots)
from voting.api import sitting  # noqa: F401  (leave, sign-out, timers, receipt check: issue #20)
from voting.live import api as live  # noqa: F401  (/meetings/<mid>/events and /live, the hall's stream)
