"""Who may do what: a role -> permissions map and one decorator.

Failures raise werkzeug's Unauthorized / Forbidden; the error handlers answer in
JSON under /api/ and with a Chinese page elsewhere.
"""
from functools import wraps

from flask import g, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden, NotFound, Unauthorized

READ_MEETINGS = "meeting.read"
MANAGE_MEETINGS = "meeting.manage"
READ_ATTENDANCE = "attendance.read"
READ_TALLY = "tally.read"
ENTER_PAPER = "paper.enter"
CAST_VOTE = "vote.cast"
MANAGE_BODIES = "body.manage"
MANAGE_USERS = "user.manage"
READ_STATIONS = "stations.read"
MANAGE_STATIONS = "stations.manage"
READ_PROPOSALS = "proposals.read"
SCREEN_PROPOSALS = "proposals.screen"
SUBMIT_PROPOSALS = "proposals.submit"
READ_PROJECTS = "projects.read"
MANAGE_PROJECTS = "projects.manage"
UPDATE_OWN_PROJECTS = "projects.update_own"
MANAGE_APPRAISALS = "appraisals.manage"
SUBMIT_REREPORT = "rereport.submit"
READ_ROLLUP = "rollup.read"
READ_AUDIT = "audit.read"
HOLD_KEY_SHARE = "tellers.share"  # a teller's device: the key ceremony and decryption shares

_STAFF_READ = {READ_MEETINGS, READ_ATTENDANCE, READ_TALLY, READ_STATIONS, READ_PROPOSALS, READ_PROJECTS}

PERMISSIONS: dict[str, frozenset[str]] = {
    "admin": frozenset({MANAGE_BODIES, MANAGE_USERS, READ_AUDIT, READ_ROLLUP} | _STAFF_READ),
    "secretariat": frozenset(
        {MANAGE_MEETINGS, MANAGE_STATIONS, SCREEN_PROPOSALS, SUBMIT_PROPOSALS, MANAGE_PROJECTS,
         MANAGE_APPRAISALS, READ_ROLLUP, READ_AUDIT} | _STAFF_READ
    ),
    "teller": frozenset({READ_MEETINGS, READ_ATTENDANCE, READ_TALLY, ENTER_PAPER, READ_STATIONS, HOLD_KEY_SHARE}),
    "leader": frozenset({READ_ROLLUP} | _STAFF_READ),
    "station": frozenset({READ_STATIONS, SUBMIT_PROPOSALS}),
    "department": frozenset({READ_STATIONS, UPDATE_OWN_PROJECTS, SUBMIT_REREPORT}),
    "deputy": frozenset({CAST_VOTE}),
}


def has_permission(principal, permission: str) -> bool:
    return principal is not None and permission in PERMISSIONS.get(principal.role, frozenset())


def current_principal():
    """The caller: the holder of a valid bearer token, else the session's user, else None."""
    if "principal" in g:
        return g.principal
    principal = None
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        from voting.accounts.services import resolve_token

        principal = resolve_token(header[len("Bearer "):].strip())
        g.bearer = True
    elif current_user.is_authenticated:
        principal = current_user._get_current_object()
    g.principal = principal
    return principal


def authenticated_request() -> bool:
    return current_principal() is not None


def require(*permissions: str):
    """Allow the view when the caller holds any of `permissions`."""

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            principal = current_principal()
            if principal is None:
                raise Unauthorized()
            if not any(has_permission(principal, p) for p in permissions):
                raise Forbidden()
            return view(*args, **kwargs)

        wrapper.required_permissions = permissions
        return wrapper

    return decorate


def require_login(view):
    """Any signed-in caller (staff or deputy)."""

    @wraps(view)
    def wrapper(*args, **kwargs):
        if current_principal() is None:
            raise Unauthorized()
        return view(*args, **kwargs)

    return wrapper


def readable_body_ids(principal) -> set[int]:
    """Bodies whose records `principal` may read: its own, plus (for leaders,
    secretariat and admin) every body below it."""
    from voting.accounts.models import Body
    from voting.extensions import db

    own = principal.body_id
    if principal.role in ("leader", "secretariat", "admin"):
        body = db.session.get(Body, own)
        return {own} | (body.descendant_ids() if body else set())
    return {own}


def ensure_readable(principal, body_id: int) -> None:
    """Records of other bodies do not exist for the caller (404, never a hint)."""
    if body_id not in readable_body_ids(principal):
        raise NotFound()


def ensure_writable(principal, body_id: int) -> None:
    """Only staff of the owning body change its records; a parent body reads only."""
    ensure_readable(principal, body_id)
    if principal.body_id != body_id:
        raise Forbidden()


def reading_body():
    """The body whose records a list page shows: the caller's own, or (for parent
    bodies' leaders and secretariat) one below it chosen with ?body=<id>; 404 for any
    other. The one body picker of every domain's pages."""
    from voting.accounts.models import Body
    from voting.extensions import db
    from voting.inputlimits import id_from

    principal = current_principal()
    chosen = id_from(request.args.get("body", ""))
    body_id = chosen if chosen is not None else principal.body_id
    ensure_readable(principal, body_id)
    return db.session.get(Body, body_id)


def readable_bodies() -> list:
    """The bodies the caller may pick on a list page: its own first, then by id."""
    from voting.accounts.models import Body
    from voting.extensions import db

    principal = current_principal()
    return sorted((db.session.get(Body, i) for i in readable_body_ids(principal)),
                  key=lambda body: (body.id != principal.body_id, body.id))


def load_record(model, record_id: int, write: bool = False):
    """A record of `model` the caller may read (404 otherwise) and, with `write`, change
    (403 for a parent body's staff): the one loader of every domain's pages."""
    from voting.extensions import db

    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound()
    (ensure_writable if write else ensure_readable)(current_principal(), record.body_id)
    return record
