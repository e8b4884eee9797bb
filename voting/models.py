"""Imports every domain's models so that the metadata (and Alembic) sees all tables."""
import importlib

from voting.accounts.models import AddressThrottle, ApiToken, Body, User  # noqa: F401
from voting.integrity.models import AuditEntry  # noqa: F401
from voting.meetings.models import Attendance, Deputy, Meeting  # noqa: F401

DOMAINS = ("ballots", "collection", "tracking", "appraisals")

import voting.ballots.paper  # noqa: E402,F401  (PaperCount lives beside the paper services)

for _name in DOMAINS:
    try:
        importlib.import_module(f"voting.{_name}.models")
    except ModuleNotFoundError as _missing:
        if _missing.name not in (f"voting.{_name}", f"voting.{_name}.models"):
            raise
